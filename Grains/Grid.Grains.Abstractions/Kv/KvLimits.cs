namespace Grid.Grains.Kv;

/// <summary>Bounds the KV grains enforce, so that one grain's state stays one register write.</summary>
public static class KvLimits
{
    /// <summary>
    /// The largest value a put accepts. SWARM registers hold 1 MiB by default; this leaves room for
    /// the storage record's header and the serializer's framing.
    /// </summary>
    public const int MaxValueBytes = 512 * 1024;
}
