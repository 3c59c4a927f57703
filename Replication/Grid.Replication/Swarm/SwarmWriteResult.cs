namespace Grid.Replication.Swarm;

/// <summary>
/// How a write went: its path, the roundtrips on its critical path (background not counted),
/// the identity of the word it published, and <see cref="ObservedOthers"/>, the highest word
/// identity of another writer it saw in its first roundtrip (0 if none).
/// </summary>
public readonly record struct SwarmWriteResult(
    SwarmWritePath Path, int Roundtrips, ulong Word = 0, ulong ObservedOthers = 0);
