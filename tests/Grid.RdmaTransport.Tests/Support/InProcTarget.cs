using Grid.RdmaTransport.InProc;

namespace Grid.RdmaTransport.Tests.Support;

public sealed class InProcTarget : IFabricTarget
{
    public InProcTarget(InProcFabricOptions? options = null, int receiveQueueCapacity = 16)
    {
        Fabric = new InProcFabric(options);
        Endpoint = Fabric.AddEndpoint(TargetNode, receiveQueueCapacity);
    }

    public static NodeId TargetNode { get; } = new(1000);

    public InProcFabric Fabric { get; }

    public MemoryEndpoint Endpoint { get; }

    public Task<QueuePair> ConnectAsync(NodeId local) => Task.FromResult(Fabric.Connect(local, TargetNode));

    public ValueTask DisposeAsync()
    {
        Fabric.Dispose();
        return ValueTask.CompletedTask;
    }
}
