namespace Grid.Grains.Kv;

/// <summary>
/// One key of the grid's key-value store; the grain key is the store key. Backed by the
/// <c>swarm</c> storage provider: a put or delete is one replicated write (DESIGN.md, "Which
/// engine for which grain"). Versions start at 1 with the first put and grow by one with every
/// put or delete, so a reader can tell two writes of the same bytes apart.
/// </summary>
[Alias("grid.kv")]
public interface IKvGrain : IGrainWithStringKey
{
    /// <summary>The value and its version, or <see cref="KvEntry.Exists"/> false when absent.</summary>
    [Alias("get")]
    Task<KvEntry> Get();

    /// <summary>Stores <paramref name="value"/> (at most <see cref="KvLimits.MaxValueBytes"/>) and returns the new version.</summary>
    [Alias("put")]
    Task<long> Put(byte[] value);

    /// <summary>Removes the value; true if there was one. Deleting an absent key changes nothing.</summary>
    [Alias("delete")]
    Task<bool> Delete();

    /// <summary>The current version: 0 for a key never written.</summary>
    [Alias("version")]
    Task<long> GetVersion();

    /// <summary>The whole state, for the dashboard's grain-state page.</summary>
    [Alias("state")]
    Task<KvEntry> GetState();
}
