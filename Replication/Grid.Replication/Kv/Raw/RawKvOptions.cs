namespace Grid.Replication.Kv.Raw;

/// <summary>
/// Sizes of a RAW table (<see cref="RawKvStore"/>, and on each node of
/// <see cref="RawReplicated.RawReplicatedKvStore"/>). Every client of one table must use the
/// same values: they fix where each record lives in region 0.
/// </summary>
public sealed class RawKvOptions
{
    /// <summary>Keeps Records x record size (a long) far from overflow; no node is this big.</summary>
    private const long RegionBytesMax = 1L << 40;

    /// <summary>Records in the table; keys beyond this many fail with <see cref="RawKvTableFullException"/>.</summary>
    public int Records { get; set; } = 65_536;

    /// <summary>Longest key in bytes; each record reserves this much.</summary>
    public int KeyBytesMax { get; set; } = 64;

    /// <summary>Largest value in bytes; each record reserves this much.</summary>
    public int MaxValueBytes { get; set; } = 1_024;

    public void Validate()
    {
        if (Records < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Records), Records, "must be >= 1");
        }

        if (KeyBytesMax is < 1 or > 64 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(KeyBytesMax), KeyBytesMax, "must be in [1, 65536]");
        }

        if (MaxValueBytes is < 0 or > 64 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxValueBytes), MaxValueBytes, "must be in [0, 64 MiB]");
        }

        // The versioned record is the larger one: options valid for it are valid for both.
        if ((long)Records * RawRecordLayout.StrideOf(this, versioned: true) > RegionBytesMax)
        {
            throw new ArgumentOutOfRangeException(nameof(Records), Records,
                $"Records x record size exceeds {RegionBytesMax} bytes");
        }
    }
}
