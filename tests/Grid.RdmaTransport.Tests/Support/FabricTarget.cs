namespace Grid.RdmaTransport.Tests.Support;

/// <summary>
/// A target endpoint reachable over some fabric, with local (owner) access to its memory so a
/// contract test can set rights and check what the verbs did.
/// </summary>
public interface IFabricTarget : IAsyncDisposable
{
    MemoryEndpoint Endpoint { get; }

    Task<QueuePair> ConnectAsync(NodeId local);
}
