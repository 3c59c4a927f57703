namespace Grid.Replication.Swarm;

/// <summary>Two keys hash to the same 64-bit value (about 1 in 10^11 for a million keys).</summary>
public sealed class SwarmKeyCollisionException : Exception
{
    public SwarmKeyCollisionException(string message)
        : base(message)
    {
    }
}
