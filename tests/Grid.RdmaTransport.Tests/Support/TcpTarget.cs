using System.Collections.Concurrent;
using System.Net;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Tests.Support;

/// <summary>An endpoint served by a <see cref="TcpEndpointListener"/> in this process on loopback.</summary>
public sealed class TcpTarget : IFabricTarget
{
    private readonly TcpEndpointListener _listener;
    private readonly ConcurrentBag<QueuePair> _connections = [];

    public TcpTarget(TcpTransportOptions? options = null, int receiveQueueCapacity = 16)
    {
        Options = options ?? new TcpTransportOptions();
        Key = ClusterKey.FromSecret(ClusterKey.GenerateSecret());
        Endpoint = new MemoryEndpoint(new NodeId(1000), receiveQueueCapacity);
        _listener = new TcpEndpointListener(Endpoint, Key, Options);
        _listener.Start(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public MemoryEndpoint Endpoint { get; }

    public ClusterKey Key { get; }

    public TcpTransportOptions Options { get; }

    public IPEndPoint Address => _listener.LocalEndPoint;

    public async Task<QueuePair> ConnectAsync(NodeId local)
    {
        var queuePair = await TcpQueuePair.ConnectAsync(Address, local, Key, Options);
        _connections.Add(queuePair);
        return queuePair;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await _listener.DisposeAsync();
        Endpoint.Dispose();
    }
}
