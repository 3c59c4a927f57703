using Grid.RdmaTransport;
using Grid.Replication.Kv;
using Grid.Replication.Kv.Raw;
using Grid.Replication.Kv.RawReplicated;

namespace Grid.Cli.Bench;

/// <summary>
/// raw-replicated: RAW's table on each of <c>--memnodes</c> memory nodes, one WRITE to every node
/// per put and one READ per get, each done at a majority, with no safety
/// (<see cref="RawReplicatedKvStore"/>). The replicated protocols' cost floor on the same fabric
/// and CPU.
/// </summary>
internal sealed class RawReplicatedKvSystem : KvSystem
{
    private readonly RawKvOptions _options;

    public RawReplicatedKvSystem(SwarmBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        MemoryNodes = settings.MemoryNodes;
        // The same table as RAW's (RawKvSystem), so the two differ only in replication.
        _options = RawKvSystem.TableFor(settings);
        RegionBytes = RawReplicatedKvStore.RegionBytesFor(_options);
    }

    public override string Name => RawReplicatedKvStore.SystemName;

    public override int MemoryNodes { get; }

    public override long RegionBytes { get; }

    /// <summary>
    /// It keeps serving with f nodes down, so a crash run crashes a node under it too; whether it
    /// lost writes is then measured like the others' and reported as it is (it promises nothing).
    /// </summary>
    public override bool Replicated => true;

    public override async Task<IKeyValueStore> StartClientAsync(int client, IReadOnlyList<QueuePair> memoryNodes) =>
        await RawReplicatedKvStore.StartAsync(client, memoryNodes, _options).ConfigureAwait(false);
}
