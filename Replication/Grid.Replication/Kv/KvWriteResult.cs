namespace Grid.Replication.Kv;

/// <summary>
/// The roundtrips on a put's, insert's or delete's critical path, the identity of the write, and
/// the highest identity of another writer's write of the key it observed (both 0 where the store
/// does not track writers; see <see cref="Swarm.SwarmWriteResult"/>).
/// </summary>
public readonly record struct KvWriteResult(int Roundtrips, ulong Write = 0, ulong ObservedOthers = 0);
