using Grid.RdmaTransport;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;

namespace Grid.Cli.Bench;

/// <summary>
/// One key-value system <c>grid bench swarm</c> compares: how many memory nodes it needs, how
/// big their region 0 must be, and how a client of it starts. All clients of one run use the
/// same configuration, as the stores require.
/// </summary>
internal abstract class KvSystem
{
    /// <summary>"raw", "raw-replicated", "dm-abd" or "swarm": the system column of the rows.</summary>
    public abstract string Name { get; }

    public abstract int MemoryNodes { get; }

    public abstract long RegionBytes { get; }

    /// <summary>Whether it survives a memory-node crash, so the crash is injected into its run.</summary>
    public abstract bool Replicated { get; }

    /// <summary>Starts client <paramref name="client"/> (1-based; a writer id) on its own queue pairs.</summary>
    public abstract Task<IKeyValueStore> StartClientAsync(int client, IReadOnlyList<QueuePair> memoryNodes);

    /// <summary>
    /// The systems of one run, in the order they run: the two baselines (one node; 2f+1 nodes
    /// with no safety), then the replicated protocols on the same 2f+1 nodes.
    /// </summary>
    public static IReadOnlyList<KvSystem> ForBench(SwarmBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new RawKvSystem(settings),
            new RawReplicatedKvSystem(settings),
            new SwarmKvSystem(settings, SwarmKvMode.DmAbd),
            new SwarmKvSystem(settings, SwarmKvMode.Swarm),
        ];
    }
}
