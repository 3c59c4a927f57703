namespace Grid.Persistence.Swarm;

/// <summary>
/// A SWARM storage operation failed (memory nodes unreachable, a corrupt record, a serializer
/// error). Conflicts are <c>InconsistentStateException</c> instead, as Orleans expects.
/// </summary>
public sealed class SwarmStorageException : Exception
{
    public SwarmStorageException()
    {
    }

    public SwarmStorageException(string message)
        : base(message)
    {
    }

    public SwarmStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
