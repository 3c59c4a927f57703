using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Grid.Cli.Tests.Cluster;

/// <summary>
/// A real Orleans silo in the test process: localhost clustering on free ports with grid-silo's
/// service and cluster ids. It hosts no grains of ours (Grid.Grains has none yet), only Orleans'
/// own, such as the management grain behind <c>grid status</c>.
/// </summary>
public sealed class LocalSilo : IAsyncDisposable
{
    public const string ServiceId = "grid";
    public const string ClusterId = "grid";

    private readonly IHost _host;

    private LocalSilo(IHost host, string name, int siloPort, int gatewayPort)
    {
        _host = host;
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public string Name { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>
    /// Starts a silo; with <paramref name="primary"/>, one more silo of that silo's cluster
    /// (development clustering: the primary keeps the membership table).
    /// </summary>
    public static async Task<LocalSilo> StartAsync(string name, LocalSilo? primary = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(
                    siloPort, gatewayPort,
                    primary is null ? null : new IPEndPoint(IPAddress.Loopback, primary.SiloPort),
                    ServiceId, ClusterId);
                silo.Configure<SiloOptions>(o => o.SiloName = name);
            });
            var host = builder.Build();
            try
            {
                await host.StartAsync();
                return new LocalSilo(host, name, siloPort, gatewayPort);
            }
            catch (Exception) when (attempt < 3)
            {
                // A port taken between picking and binding: pick again.
                host.Dispose();
            }
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
        }
    }
}
