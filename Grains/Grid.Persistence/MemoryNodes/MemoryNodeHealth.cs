using Grid.RdmaTransport;

namespace Grid.Persistence.MemoryNodes;

/// <summary>One memory node as a silo's storage sees it: its name (address) and connection state.</summary>
public sealed record MemoryNodeHealth(string Name, QueuePairState State)
{
    public bool Reachable => State == QueuePairState.Ready;
}
