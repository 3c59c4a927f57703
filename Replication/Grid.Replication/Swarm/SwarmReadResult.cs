namespace Grid.Replication.Swarm;

/// <summary>
/// What a read returned: the value (null when the object was never written), the roundtrips on
/// its critical path, and <see cref="Observed"/>, the highest word identity (<see cref="Tsp.Identity"/>)
/// of any writer that the read saw. A later write that observes a word above it knows another
/// writer wrote in between (how grain storage detects a second activation of a grain).
/// </summary>
public readonly record struct SwarmReadResult(byte[]? Value, int Roundtrips, bool FromInPlace, ulong Observed = 0)
{
    /// <summary>The word of the write returned (0 with no value): what a refresh compares and rewrites.</summary>
    internal ulong Word { get; init; }
}
