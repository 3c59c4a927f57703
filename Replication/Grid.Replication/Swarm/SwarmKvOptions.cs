namespace Grid.Replication.Swarm;

/// <summary>
/// Sizes of a SWARM-KV cluster; every client of one cluster must use the same values (they fix
/// the layout on the memory nodes). Keys and values are stored together in one record, so the
/// register holds up to KeyBytesMax + MaxValueBytes + 3 bytes.
/// </summary>
public sealed class SwarmKvOptions
{
    public int MaxWriters { get; set; } = 8;

    public int BucketCount { get; set; } = 4096;

    public int EntriesPerWriter { get; set; } = 4;

    /// <summary>Values up to this size (with their key) read in one roundtrip from the in-place copy.</summary>
    public int InPlaceValueBytes { get; set; } = 64;

    public int KeyBytesMax { get; set; } = 256;

    public int MaxValueBytes { get; set; } = 1 << 20;

    public long ArenaBytesPerWriter { get; set; } = 64L << 20;

    /// <summary>See <see cref="SwarmOptions.BufferGracePeriod"/>: at least 4 x (BatchLifetime + 2 x ClockSkewAllowance).</summary>
    public TimeSpan BufferGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>See <see cref="SwarmOptions.BatchLifetime"/>.</summary>
    public TimeSpan BatchLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>See <see cref="SwarmOptions.ClockSkewAllowance"/>; the memory nodes must use the same.</summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan TimestampUnit { get; set; } = TimeSpan.FromMicroseconds(1);

    /// <summary>See <see cref="SwarmOptions.TimestampRingBits"/>: narrowed by tests only.</summary>
    internal int TimestampRingBits { get; set; } = Tsp.TimestampBits;

    /// <summary>The register options these map to; validates both.</summary>
    public SwarmOptions ToSwarmOptions()
    {
        if (KeyBytesMax is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(KeyBytesMax), KeyBytesMax, $"must be in [1, {ushort.MaxValue}]");
        }

        var options = new SwarmOptions
        {
            MaxWriters = MaxWriters,
            BucketCount = BucketCount,
            EntriesPerWriter = EntriesPerWriter,
            InPlaceValueBytes = InPlaceValueBytes + SwarmKvRecord.OverheadBytes + Math.Min(KeyBytesMax, 32),
            MaxValueBytes = MaxValueBytes + SwarmKvRecord.OverheadBytes + KeyBytesMax,
            ArenaBytesPerWriter = ArenaBytesPerWriter,
            BufferGracePeriod = BufferGracePeriod,
            BatchLifetime = BatchLifetime,
            ClockSkewAllowance = ClockSkewAllowance,
            TimestampUnit = TimestampUnit,
            TimestampRingBits = TimestampRingBits,
        };
        options.Validate();
        return options;
    }
}
