namespace Grid.Replication.Kv;

/// <summary>A get's value (null: absent) and the roundtrips on its critical path.</summary>
public readonly record struct KvReadResult(byte[]? Value, int Roundtrips);
