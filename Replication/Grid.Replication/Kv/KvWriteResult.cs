namespace Grid.Replication.Kv;

/// <summary>The roundtrips on a put's, insert's or delete's critical path.</summary>
public readonly record struct KvWriteResult(int Roundtrips);
