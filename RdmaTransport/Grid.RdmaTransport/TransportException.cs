namespace Grid.RdmaTransport;

/// <summary>
/// A failed batch or connection. <see cref="OpIndex"/> names the op that failed inside a batch
/// (ops before it were executed at the target, ops after it were not), or -1 when the whole
/// batch or connection failed.
/// </summary>
public sealed class TransportException : Exception
{
    public TransportException(TransportError error, string message, int opIndex = -1)
        : base(message)
    {
        Error = error;
        OpIndex = opIndex;
    }

    public TransportException(TransportError error, string message, Exception inner)
        : base(message, inner)
    {
        Error = error;
        OpIndex = -1;
    }

    public TransportError Error { get; }

    public int OpIndex { get; }
}
