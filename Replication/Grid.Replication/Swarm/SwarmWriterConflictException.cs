namespace Grid.Replication.Swarm;

/// <summary>
/// Another client runs with this client's writer id: writer ids must be unique among running
/// clients. Thrown by the older of the two at its next write (which may itself have landed).
/// </summary>
public sealed class SwarmWriterConflictException : Exception
{
    public SwarmWriterConflictException(string message)
        : base(message)
    {
    }
}
