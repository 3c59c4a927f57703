using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;

namespace Grid.Cli.Bench;

/// <summary>
/// Memory nodes on a fresh in-process fabric: with no latency model the protocol's own CPU cost,
/// with one a network-bound run.
/// </summary>
internal sealed class InProcMemoryNodes : MemoryNodeSet
{
    private const uint FirstNodeId = 1000;

    private readonly InProcFabric _fabric;
    private readonly int _count;

    public InProcMemoryNodes(int count, long regionBytes, TimeSpan oneWayLatency = default)
    {
        _fabric = new InProcFabric(new InProcFabricOptions
        {
            OneWayLatency = oneWayLatency,
            Deadlines = BatchDeadline.Default with { ClockSkewAllowance = ClockSkew },
        });
        _count = count;
        for (var node = 0; node < count; node++)
        {
            _fabric.AddEndpoint(NodeOf(node)).RegisterRegion(regionBytes);
        }
    }

    public override int Count => _count;

    public override bool CanCrash => true;

    public override Task<QueuePair> ConnectAsync(int node, NodeId client, CancellationToken cancellationToken) =>
        Task.FromResult(_fabric.Connect(client, NodeOf(node)));

    public override void Crash(int node) => _fabric.Faults.Crash(NodeOf(node));

    public override ValueTask DisposeAsync()
    {
        _fabric.Dispose();
        return ValueTask.CompletedTask;
    }

    private static NodeId NodeOf(int node) => new(FirstNodeId + (uint)node);
}
