namespace Grid.Replication.Common;

/// <summary>
/// Fewer than a majority of memory nodes answered: more than f have failed, so the operation
/// cannot complete (and may or may not have taken effect).
/// </summary>
public sealed class QuorumUnavailableException : Exception
{
    public QuorumUnavailableException(string message, Exception? lastError)
        : base(message, lastError)
    {
    }
}
