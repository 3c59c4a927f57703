namespace Grid.Client;

/// <summary>
/// No silo answered: nothing listens at the gateways, the membership table names none, or the
/// connect timeout ran out. The message says where the client looked; the inner exception is the
/// last failure seen.
/// </summary>
public sealed class GridConnectionException : Exception
{
    public GridConnectionException()
    {
    }

    public GridConnectionException(string message)
        : base(message)
    {
    }

    public GridConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
