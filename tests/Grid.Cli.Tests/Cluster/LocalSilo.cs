using System.Net;
using Grid.Grains;
using Grid.Persistence.Hosting;
using Grid.Persistence.MemoryNodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Grid.Cli.Tests.Cluster;

/// <summary>
/// A real Orleans silo in the test process, configured as grid-silo configures itself: localhost
/// clustering on free ports with grid-silo's service and cluster ids, the grid's grains, and
/// SWARM grain storage under <see cref="GridStorage.Name"/> over embedded in-process memory
/// nodes. The silos of one cluster share one set of memory nodes, each with its own writer id.
/// </summary>
public sealed class LocalSilo : IAsyncDisposable
{
    public const string ServiceId = "grid";
    public const string ClusterId = "grid";

    private readonly IHost _host;

    /// <summary>Set on the silo that created the memory nodes: it disposes them.</summary>
    private readonly bool _ownsMemoryNodes;

    private LocalSilo(
        IHost host, string name, int siloPort, int gatewayPort, Storage storage,
        int writerId, bool ownsMemoryNodes)
    {
        _host = host;
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        SharedStorage = storage;
        WriterId = writerId;
        _ownsMemoryNodes = ownsMemoryNodes;
    }

    public string Name { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>The silo's services (its grain storage, for tests that bypass the grains).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>This silo's SWARM writer id (unique in its cluster).</summary>
    public int WriterId { get; }

    /// <summary>The memory nodes of this silo's cluster (crash some to fail storage).</summary>
    public EmbeddedMemoryNodes MemoryNodes => SharedStorage.Nodes;

    private Storage SharedStorage { get; }

    /// <summary>
    /// Starts a silo of a new cluster with three new memory nodes; with
    /// <paramref name="primary"/>, one more silo of that silo's cluster (development clustering:
    /// the primary keeps the membership table) on the primary's memory nodes, with the next
    /// writer id. Dispose the other silos of a cluster before its primary, which owns the nodes.
    /// </summary>
    public static async Task<LocalSilo> StartAsync(string name, LocalSilo? primary = null)
    {
        var storage = primary?.SharedStorage ?? new Storage(new EmbeddedMemoryNodes(3));
        var writerId = storage.NextWriterId();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
                var host = Build(name, siloPort, gatewayPort, primary, storage.Nodes, writerId);
                try
                {
                    await host.StartAsync();
                    return new LocalSilo(host, name, siloPort, gatewayPort, storage, writerId,
                        ownsMemoryNodes: primary is null);
                }
                catch (Exception) when (attempt < 3)
                {
                    // A port taken between picking and binding: pick again.
                    host.Dispose();
                }
            }
        }
        catch (Exception) when (primary is null)
        {
            storage.Nodes.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(stop.Token);
        }
        finally
        {
            _host.Dispose();
            if (_ownsMemoryNodes)
            {
                MemoryNodes.Dispose();
            }
        }
    }

    private static IHost Build(
        string name, int siloPort, int gatewayPort, LocalSilo? primary,
        EmbeddedMemoryNodes memoryNodes, int writerId)
    {
        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddEmbeddedMemoryNodes(memoryNodes);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort, gatewayPort,
                primary is null ? null : new IPEndPoint(IPAddress.Loopback, primary.SiloPort),
                ServiceId, ClusterId);
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.AddSwarmGrainStorage(GridStorage.Name, o => o.WriterId = writerId);
        });
        return builder.Build();
    }

    /// <summary>What the silos of one cluster share: memory nodes and the writer ids handed out.
    /// </summary>
    private sealed class Storage(EmbeddedMemoryNodes nodes)
    {
        private int _lastWriterId;

        public EmbeddedMemoryNodes Nodes { get; } = nodes;

        public int NextWriterId() => Interlocked.Increment(ref _lastWriterId);
    }
}
