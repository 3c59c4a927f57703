namespace Grid.Grains.Kv;

/// <summary>A key's value and version. An absent key has no value and <see cref="Exists"/> false.</summary>
[GenerateSerializer]
[Alias("grid.kv-entry")]
[Immutable]
public sealed record KvEntry(byte[]? Value, long Version)
{
    public bool Exists => Value is not null;
}
