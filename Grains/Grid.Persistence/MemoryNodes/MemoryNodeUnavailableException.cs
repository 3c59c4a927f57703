namespace Grid.Persistence.MemoryNodes;

/// <summary>Fewer than a majority of the configured memory nodes could be reached.</summary>
public sealed class MemoryNodeUnavailableException : Exception
{
    public MemoryNodeUnavailableException()
    {
    }

    public MemoryNodeUnavailableException(string message)
        : base(message)
    {
    }

    public MemoryNodeUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
