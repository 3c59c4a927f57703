namespace Grid.Replication.Kv;

/// <summary>
/// A get's value (null: absent), the roundtrips on its critical path, and the highest write
/// identity the get observed for the key (0 where the store does not track writers; see
/// <see cref="Swarm.SwarmReadResult.Observed"/>).
/// </summary>
public readonly record struct KvReadResult(byte[]? Value, int Roundtrips, ulong Observed = 0);
