namespace Grid.Replication.Swarm;

/// <summary>
/// Sizes and limits of a SWARM cluster. Every client of one cluster must use the same values:
/// they fix the memory layout on the memory nodes (<see cref="SwarmLayout"/>).
/// </summary>
public sealed class SwarmOptions
{
    /// <summary>Writers (clients that write) in the cluster; each has its own entries and arena.</summary>
    public int MaxWriters { get; set; } = 8;

    /// <summary>Buckets of the replicated index; a key lives in bucket hash mod BucketCount.</summary>
    public int BucketCount { get; set; } = 4096;

    /// <summary>Entries each writer has in each bucket: the keys of that bucket it has written.</summary>
    public int EntriesPerWriter { get; set; } = 4;

    /// <summary>
    /// Bytes of value an in-place record holds (one record per entry, spec §3.2). Values up to
    /// this size can be read in one roundtrip; larger ones always follow the buffer pointer.
    /// </summary>
    public int InPlaceValueBytes { get; set; } = 64;

    /// <summary>Largest value a write accepts.</summary>
    public int MaxValueBytes { get; set; } = 1 << 20;

    /// <summary>Out-of-place buffer space of each writer on each memory node.</summary>
    public long ArenaBytesPerWriter { get; set; } = 16L << 20;

    /// <summary>
    /// How long a retired buffer, or a released index entry, waits before its space is reused
    /// (spec §3.5). A read that has run for half of it starts over instead of pinning or writing
    /// back, and every batch lands within <see cref="BatchLifetime"/> plus twice the
    /// <see cref="ClockSkewAllowance"/> of being stamped, or never; so it must be at least
    /// 4 x (BatchLifetime + 2 x ClockSkewAllowance) (README, "Time bounds").
    /// </summary>
    public TimeSpan BufferGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The deadline every batch carries (<see cref="Grid.RdmaTransport.VerbBatch.NotAfter"/>): a
    /// memory node refuses it later than this after it was stamped (plus the skew allowance).
    /// At most the memory nodes' longest batch lifetime (10 s by default).
    /// </summary>
    public TimeSpan BatchLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far apart any two clocks of the cluster (clients and memory nodes) may be; the memory
    /// nodes must judge deadlines with the same allowance (grid-memnode --clock-skew).
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a stamped batch can take to land, on any clock: lifetime plus twice the skew.</summary>
    public TimeSpan MaxInFlight => BatchLifetime + 2 * ClockSkewAllowance;

    /// <summary>One timestamp unit. Finer guesses stay fresh under contention.</summary>
    public TimeSpan TimestampUnit { get; set; } = TimeSpan.FromMicroseconds(1);

    /// <summary>
    /// Bits of the timestamp ring (<see cref="TimestampRing"/>): 36, the word's whole field, in
    /// production. Tests narrow it so that virtual time wraps it many times in a short run.
    /// </summary>
    internal int TimestampRingBits { get; set; } = Tsp.TimestampBits;

    /// <summary>Half the timestamp ring as time: words further apart than this have no order.</summary>
    public TimeSpan TimestampHalfRing => TimestampUnit * (double)(1UL << (TimestampRingBits - 1));

    /// <summary>
    /// A word older than this is rewritten or cleared by the writers' refresh
    /// (<see cref="SafeGuessClient.RefreshStaleAsync"/>): an eighth of the ring, 2 h 23 min at
    /// 1 µs units (README, "Timestamps that never run out").
    /// </summary>
    public TimeSpan TimestampRefreshAge => TimestampHalfRing / 4;

    /// <summary>How often each writer scans for words older than <see cref="TimestampRefreshAge"/>.</summary>
    public TimeSpan TimestampRefreshPeriod => TimestampHalfRing / 16;

    /// <summary>
    /// The longest the refresh may be held up (it needs every memory node) before this writer
    /// refuses to write: past it, a word could grow older than half the ring and lose its order.
    /// </summary>
    public TimeSpan TimestampRefreshDeadline => TimestampHalfRing - 2 * TimestampRefreshAge;

    public void Validate()
    {
        if (MaxWriters is < 1 or > Tsp.WriterMax)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWriters), MaxWriters, $"must be in [1, {Tsp.WriterMax}]");
        }

        if (BucketCount < 1 || EntriesPerWriter < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BucketCount), "BucketCount and EntriesPerWriter must be >= 1");
        }

        if ((long)MaxWriters * EntriesPerWriter * SwarmLayout.EntryBytes > 1 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(EntriesPerWriter), EntriesPerWriter,
                "a bucket (MaxWriters x EntriesPerWriter entries) must stay under 1 MiB");
        }

        if (InPlaceValueBytes is < 0 or > 64 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(InPlaceValueBytes), InPlaceValueBytes, "must be in [0, 65536]");
        }

        if (MaxValueBytes < 0 || MaxValueBytes > 64 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxValueBytes), MaxValueBytes, "must be in [0, 64 MiB]");
        }

        var smallest = SwarmLayout.BufferBytes(MaxValueBytes) * 4L;
        if (ArenaBytesPerWriter < smallest || ArenaBytesPerWriter > (Tsp.BufferMax + 1L) * SwarmLayout.BufferUnitBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(ArenaBytesPerWriter), ArenaBytesPerWriter,
                $"must hold four buffers of the largest value ({smallest} bytes) and at most " +
                $"{(Tsp.BufferMax + 1L) * SwarmLayout.BufferUnitBytes} bytes");
        }

        if (BatchLifetime <= TimeSpan.Zero || BatchLifetime > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(BatchLifetime), BatchLifetime, "must be > 0 and at most 10 minutes");
        }

        if (ClockSkewAllowance < TimeSpan.Zero || ClockSkewAllowance > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkewAllowance), ClockSkewAllowance, "must be from 0 to 10 minutes");
        }

        if (BufferGracePeriod < 4 * MaxInFlight)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferGracePeriod), BufferGracePeriod,
                $"must be at least 4 x (BatchLifetime + 2 x ClockSkewAllowance) = {4 * MaxInFlight}: a copy or pin " +
                "a slow reader posted must land before the space it targets can be reused");
        }

        if (TimestampUnit <= TimeSpan.Zero || TimestampUnit > TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(TimestampUnit), TimestampUnit, "must be > 0 and at most 1 ms");
        }

        if (TimestampRingBits is < 16 or > Tsp.TimestampBits)
        {
            throw new ArgumentOutOfRangeException(nameof(TimestampRingBits), TimestampRingBits, $"must be in [16, {Tsp.TimestampBits}]");
        }

        if (TimestampRefreshPeriod < BufferGracePeriod + MaxInFlight)
        {
            throw new ArgumentOutOfRangeException(nameof(TimestampUnit), TimestampUnit,
                $"half the timestamp ring ({TimestampHalfRing}) must be at least 16 x (BufferGracePeriod + " +
                $"MaxInFlight) = {16 * (BufferGracePeriod + MaxInFlight)}: a refresh pass, and the oldest op in " +
                "flight, must fit many times into it");
        }
    }
}
