namespace Grid.Replication.Swarm;

/// <summary>A configured SWARM capacity is exhausted (objects, buffer arena, timestamps).</summary>
public sealed class SwarmCapacityException : Exception
{
    public SwarmCapacityException(string message)
        : base(message)
    {
    }
}
