namespace Grid.Replication.Kv;

/// <summary>
/// A key-value store on disaggregated memory, as the benchmarks and the grain storage see it:
/// SWARM-KV, DM-ABD, the unreplicated RAW baseline and the raw-replicated baseline implement it.
/// Each operation reports the roundtrips on its critical path. Callers should not overlap operations on one key from one
/// client instance (SWARM queues them; RAW does not order them).
/// </summary>
public interface IKeyValueStore : IAsyncDisposable
{
    /// <summary>"swarm", "dm-abd", "raw" or "raw-replicated": the system name in benchmark rows.</summary>
    string System { get; }

    /// <summary>The value, or null when the key is absent (never written, or deleted).</summary>
    Task<KvReadResult> GetAsync(ReadOnlyMemory<byte> key);

    /// <summary>Sets the value, creating the key if needed.</summary>
    Task<KvWriteResult> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value);

    /// <summary>
    /// Sets the value of a key the caller creates: the same effect as <see cref="PutAsync"/>
    /// (a replicated register has no compare-and-set), without the lookup a put of an unknown
    /// key costs.
    /// </summary>
    Task<KvWriteResult> InsertAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value);

    /// <summary>Makes the key absent; its space is reclaimed after a grace period.</summary>
    Task<KvWriteResult> DeleteAsync(ReadOnlyMemory<byte> key);
}
