namespace Grid.Replication.Swarm;

/// <summary>How a write went: its path and the roundtrips on its critical path (background not counted).</summary>
public readonly record struct SwarmWriteResult(SwarmWritePath Path, int Roundtrips);
