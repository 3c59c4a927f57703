namespace Grid.Grains.Kv;

/// <summary>
/// The stored record of one key. A deleted key keeps its record as a tombstone
/// (<see cref="Value"/> null) so that <see cref="Version"/> survives the delete.
/// </summary>
[GenerateSerializer]
[Alias("grid.kv-state")]
public sealed class KvState
{
    /// <summary>The value, or null for a key never written or deleted.</summary>
    [Id(0)]
    public byte[]? Value { get; set; }

    /// <summary>0 for a key never written; grows by one with every put and every delete.</summary>
    [Id(1)]
    public long Version { get; set; }
}
