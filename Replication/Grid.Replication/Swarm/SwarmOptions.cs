namespace Grid.Replication.Swarm;

/// <summary>
/// Sizes and limits of a SWARM cluster. Every client of one cluster must use the same values:
/// they fix the memory layout on the memory nodes (<see cref="SwarmLayout"/>).
/// </summary>
public sealed class SwarmOptions
{
    /// <summary>Metadata words per object: one private word per writer (spec §2.4, T = #writers).</summary>
    public int MaxWriters { get; set; } = 8;

    /// <summary>Objects per memory node.</summary>
    public int ObjectCapacity { get; set; } = 16_384;

    /// <summary>
    /// Bytes of the in-place copy kept next to the metadata words (spec §3.2). Values up to this
    /// size can be read in one roundtrip; larger ones always follow the buffer pointer.
    /// </summary>
    public int InPlaceValueBytes { get; set; } = 256;

    /// <summary>Largest value a write accepts.</summary>
    public int MaxValueBytes { get; set; } = 1 << 20;

    /// <summary>Out-of-place buffer space of each writer on each memory node.</summary>
    public long ArenaBytesPerWriter { get; set; } = 16L << 20;

    /// <summary>
    /// How long a retired buffer waits before its space is reused (spec §3.5). A read that has
    /// run for half of it re-snapshots instead of writing a copy back, so no copy can land in a
    /// reused buffer.
    /// </summary>
    public TimeSpan BufferGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>One timestamp unit. Finer guesses stay fresh under contention; coarser last longer.</summary>
    public TimeSpan TimestampUnit { get; set; } = TimeSpan.FromMicroseconds(1);

    public void Validate()
    {
        if (MaxWriters is < 1 or > Tsp.WriterMax)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWriters), MaxWriters, $"must be in [1, {Tsp.WriterMax}]");
        }

        if (ObjectCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ObjectCapacity), ObjectCapacity, "must be >= 1");
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

        if (BufferGracePeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferGracePeriod), BufferGracePeriod, "must be > 0");
        }

        if (TimestampUnit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TimestampUnit), TimestampUnit, "must be > 0");
        }
    }
}
