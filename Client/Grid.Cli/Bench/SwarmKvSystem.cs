using Grid.RdmaTransport;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;

namespace Grid.Cli.Bench;

/// <summary>
/// SWARM-KV or, in <see cref="SwarmKvMode.DmAbd"/> mode, the DM-ABD baseline: the same store and
/// layout on <c>--memnodes</c> memory nodes (<see cref="SwarmKvStore"/>).
/// </summary>
internal sealed class SwarmKvSystem : KvSystem
{
    /// <summary>
    /// Two buckets per key, and 8 entries per writer in each: the loading client writes every
    /// key, so its entries in a bucket follow a Poisson(0.5) count, and more than 8 is a
    /// one-in-10^8 event per bucket (one bucket per key, Poisson(1), would fail about one run
    /// in 100 at 10 k keys and one in 10 at the paper's 100 k). Each entry has its own in-place
    /// record, so keys never evict each other; that is what the second bucket costs in memory.
    /// </summary>
    private const int BucketsPerKey = 2;

    private const int EntriesPerWriter = 8;

    /// <summary>Buffers per writer beyond one per key and one per op (warm-up included).</summary>
    private const int SpareBuffers = 20_000;

    /// <summary>Batch lifetime of runs with a crash: far above a batch's time in flight here.</summary>
    private static readonly TimeSpan CrashRunBatchLifetime = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Updates per second one writer could reach: ten times what a client updates per second in
    /// process on a 2-core VM (workload A), the fastest setting.
    /// </summary>
    private const int UpdatesPerSecondMax = 400_000;

    /// <summary>The largest arena the 21-bit buffer numbers of a timestamp word can address.</summary>
    private const long ArenaBytesMax = 128L << 20;

    private readonly SwarmKvOptions _options;
    private readonly SwarmKvMode _mode;

    public SwarmKvSystem(SwarmBenchSettings settings, SwarmKvMode mode)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _mode = mode;
        MemoryNodes = settings.MemoryNodes;
        // A generous upper bound of a buffer: header, record overhead, key, value, 64-byte units.
        var bufferBytes = (64L + 8 + YcsbWorkload.KeyBytes + settings.ValueBytes + 63) / 64 * 64;
        var buffers = (long)settings.Keys + settings.Plan.TotalOps + SpareBuffers;
        var defaults = new SwarmKvOptions();
        var (grace, lifetime, skew) = (defaults.BufferGracePeriod, defaults.BatchLifetime, defaults.ClockSkewAllowance);
        if (settings.CrashAt is not null)
        {
            // A run with a crash lasts a time, not a number of ops, and a retired buffer is
            // reused only after the grace period: the arena must hold every update of one grace
            // period at whatever rate the fabric allows. A short grace keeps that small; it
            // still outlasts a read (microseconds to a few ms here) many times over, a read
            // older than half of it starts over rather than trust a buffer, and batches live
            // briefly on nodes that share the bench's clock, so it costs no safety (spec §3.5,
            // Swarm README "Time bounds": G >= 4 x (T + 2S)).
            (lifetime, skew) = (CrashRunBatchLifetime, MemoryNodeSet.ClockSkew);
            grace = 4 * (lifetime + 2 * skew);
            buffers += (long)(UpdatesPerSecondMax * grace.TotalSeconds);
        }

        _options = new SwarmKvOptions
        {
            MaxWriters = settings.Clients,
            BucketCount = (int)Math.Min(int.MaxValue, (long)settings.Keys * BucketsPerKey),
            EntriesPerWriter = EntriesPerWriter,
            InPlaceValueBytes = settings.ValueBytes,
            KeyBytesMax = YcsbWorkload.KeyBytes,
            MaxValueBytes = settings.ValueBytes,
            ArenaBytesPerWriter = Math.Min(ArenaBytesMax, Math.Max(4 * bufferBytes, bufferBytes * buffers)),
            BufferGracePeriod = grace,
            BatchLifetime = lifetime,
            ClockSkewAllowance = skew,
        };
        RegionBytes = SwarmKvStore.RegionBytesFor(_options);
    }

    public override string Name => _mode == SwarmKvMode.DmAbd ? "dm-abd" : "swarm";

    public override int MemoryNodes { get; }

    public override long RegionBytes { get; }

    public override bool Replicated => true;

    public override async Task<IKeyValueStore> StartClientAsync(int client, IReadOnlyList<QueuePair> memoryNodes) =>
        await SwarmKvStore.StartAsync(client, memoryNodes, _options, _mode).ConfigureAwait(false);
}
