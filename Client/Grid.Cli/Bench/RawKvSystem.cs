using Grid.RdmaTransport;
using Grid.Replication.Kv;
using Grid.Replication.Kv.Raw;

namespace Grid.Cli.Bench;

/// <summary>RAW: one memory node, plain READ/WRITE (<see cref="RawKvStore"/>).</summary>
internal sealed class RawKvSystem : KvSystem
{
    private readonly RawKvOptions _options;

    public RawKvSystem(SwarmBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _options = TableFor(settings);
        RegionBytes = RawKvStore.RegionBytesFor(_options);
    }

    public override string Name => "raw";

    public override int MemoryNodes => 1;

    public override long RegionBytes { get; }

    public override bool Replicated => false;

    /// <summary>The table of a run: RAW's and, on each node, raw-replicated's.</summary>
    public static RawKvOptions TableFor(SwarmBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RawKvOptions
        {
            // At most half full: linear probing stays short (about 1.5 probes on a miss).
            Records = (int)Math.Min(int.MaxValue, (long)settings.Keys * 2),
            KeyBytesMax = YcsbWorkload.KeyBytes,
            MaxValueBytes = settings.ValueBytes,
        };
    }

    public override async Task<IKeyValueStore> StartClientAsync(int client, IReadOnlyList<QueuePair> memoryNodes)
    {
        ArgumentNullException.ThrowIfNull(memoryNodes);
        return await RawKvStore.StartAsync(memoryNodes[0], _options).ConfigureAwait(false);
    }
}
