namespace Grid.RdmaTransport.InProc;

/// <summary>Settings of an <see cref="InProcFabric"/>; checked by <see cref="Validate"/>.</summary>
public sealed class InProcFabricOptions
{
    /// <summary>Modelled one-way latency of every trip (zero: execute on the posting thread).</summary>
    public TimeSpan OneWayLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Modelled link bandwidth; 0 means unlimited. Adds bytes / bandwidth to a trip.</summary>
    public long BandwidthBytesPerSecond { get; set; }

    /// <summary>How long a batch whose request or response was dropped waits before failing.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When positive, a WRITE longer than this lands in pieces of this size, so concurrent READs
    /// can observe torn values (forced tearing for tests). 0 writes in one copy.
    /// </summary>
    public int TornWriteChunkBytes { get; set; }

    /// <summary>The scheduler; null makes a <see cref="RealTimeScheduler"/>.</summary>
    public IFabricScheduler? Scheduler { get; set; }

    /// <summary>The targets' clock: batch deadlines (<see cref="VerbBatch.NotAfter"/>) are judged by it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How targets judge batch deadlines (clock-skew allowance, longest lifetime).</summary>
    public BatchDeadline Deadlines { get; set; } = BatchDeadline.Default;

    /// <summary>The cluster id in the identity of every endpoint of the fabric.</summary>
    public string ClusterId { get; set; } = MemoryNodeIdentity.DefaultClusterId;

    public void Validate()
    {
        if (OneWayLatency < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(OneWayLatency), OneWayLatency, "must be >= 0");
        }

        if (BandwidthBytesPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(BandwidthBytesPerSecond), BandwidthBytesPerSecond, "must be >= 0");
        }

        if (OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(OperationTimeout), OperationTimeout, "must be > 0");
        }

        Deadlines.Validate();
        if (TornWriteChunkBytes < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(TornWriteChunkBytes), TornWriteChunkBytes, "must be >= 0");
        }

        if (MemoryNodeIdentity.CheckClusterId(ClusterId) is { } problem)
        {
            throw new ArgumentException(problem, nameof(ClusterId));
        }
    }
}
