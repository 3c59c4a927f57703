using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// A memory node: registered regions served over TCP, nothing else. It enforces rights but runs
/// no protocol logic and accepts no two-sided messages (DESIGN.md, process roles). Region 0 is
/// open to every authenticated peer; owned regions follow it.
/// </summary>
public sealed class MemoryNodeServer : IAsyncDisposable
{
    private readonly TcpEndpointListener _listener;

    private MemoryNodeServer(MemoryEndpoint endpoint, TcpEndpointListener listener)
    {
        Endpoint = endpoint;
        _listener = listener;
    }

    public MemoryEndpoint Endpoint { get; }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public int ConnectionCount => _listener.ConnectionCount;

    public static MemoryNodeServer Start(
        MemoryNodeOptions options, ClusterKey clusterKey, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var endpoint = new MemoryEndpoint(options.NodeId);
        try
        {
            endpoint.RegisterRegion(options.RegionBytes);
            foreach (var owned in options.OwnedRegions)
            {
                endpoint.RegisterOwnedRegion(owned.Bytes, owned.Owner);
            }

            var listener = new TcpEndpointListener(
                endpoint, clusterKey, options.Transport, loggerFactory.CreateLogger<TcpEndpointListener>());
            listener.Start(options.Listen);
            return new MemoryNodeServer(endpoint, listener);
        }
        catch
        {
            endpoint.Dispose();
            throw;
        }
    }

    /// <summary>Stops serving (closing every connection), then frees the memory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        Endpoint.Dispose();
    }
}
