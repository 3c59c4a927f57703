using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// Memory nodes inside this process on an in-process fabric: the embedded default of
/// <c>grid-silo</c> (every role in one process, DESIGN.md) and the fabric of Orleans tests. State
/// lives as long as the process, so it survives grain deactivation and silo restarts within the
/// process, not the process itself. One instance shared by several silos of a test cluster gives
/// them one set of memory nodes; <see cref="Fabric"/> injects faults (crash a node, delay a link).
/// </summary>
public sealed class EmbeddedMemoryNodes : IMemoryNodeSource, IDisposable
{
    /// <summary>Node ids of memory nodes; silos' writers use small ids below it.</summary>
    public const uint FirstNodeId = 1000;

    private readonly Lock _lock = new();
    private long _regionBytes;

    public EmbeddedMemoryNodes(int count = 3, InProcFabricOptions? fabricOptions = null)
    {
        if (count is < 1 or > 15 || count % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "an odd number of memory nodes (2f+1) from 1 to 15");
        }

        Fabric = new InProcFabric(fabricOptions);
        Count = count;
        NodeIds = Enumerable.Range(0, count).Select(i => new NodeId(FirstNodeId + (uint)i)).ToArray();
        Names = NodeIds.Select(n => $"embedded:{n.Value}").ToArray();
        foreach (var node in NodeIds)
        {
            Fabric.AddEndpoint(node);
        }
    }

    public InProcFabric Fabric { get; }

    public int Count { get; }

    public IReadOnlyList<NodeId> NodeIds { get; }

    public IReadOnlyList<string> Names { get; }

    public string Describe() => $"{Count} embedded in-process memory nodes";

    /// <summary>Crash-stops node <paramref name="index"/> (0-based): every op on it fails from now on.</summary>
    public void Crash(int index) => Fabric.Faults.Crash(NodeIds[index]);

    /// <summary>
    /// Restarts node <paramref name="index"/> (0-based), crashed or not: with
    /// <paramref name="keepMemory"/> it comes back with its bytes and incarnation (as a node with a
    /// data file), without it zeroed under a new incarnation. Its connections die either way.
    /// </summary>
    public void Restart(int index, bool keepMemory) => Fabric.Faults.Restart(NodeIds[index], keepMemory);

    public Task<IReadOnlyList<ReconnectingQueuePair>> ConnectAsync(
        NodeId client, MemoryNodeConnectOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var regionBytes = options.RegionBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(regionBytes, 8L);
        lock (_lock)
        {
            // Region 0 is sized by the first client's layout; later clients must fit in it, as
            // with grid-memnode --size.
            if (_regionBytes == 0)
            {
                foreach (var node in NodeIds)
                {
                    Fabric.GetEndpoint(node).RegisterRegion(regionBytes);
                }

                _regionBytes = regionBytes;
            }
            else if (regionBytes > _regionBytes)
            {
                throw new InvalidOperationException(
                    $"the embedded memory nodes have a region 0 of {_regionBytes} bytes; this layout needs {regionBytes}. " +
                    "Every SWARM storage of one cluster must use the same layout options.");
            }
        }

        // The no-early-use rule counts on an allowance at least the nodes' own.
        var reconnect = options.Reconnect.Clone();
        var nodeSkew = Fabric.Options.Deadlines.ClockSkewAllowance;
        if (reconnect.ClockSkewAllowance < nodeSkew)
        {
            reconnect.ClockSkewAllowance = nodeSkew;
        }

        // A crashed node gives an UnreachableQueuePair, closed from the start: a failed attempt.
        var dialers = NodeIds.Select(node => (QueuePairDialer)(_ => Task.FromResult(Fabric.Connect(client, node)))).ToList();
        return MemoryNodeConnector.ConnectAsync(
            client, Names, NodeIds, dialers, options with { Reconnect = reconnect }, cancellationToken);
    }

    public void Dispose() => Fabric.Dispose();
}
