using Grid.Persistence.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Storage;
using StackExchange.Redis;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// An Orleans silo in the bench process with the selected storage providers side by side, and
/// an Orleans client host that reaches it through its gateway on loopback, as a separate
/// process's client would. Both log at Warning to standard error.
/// </summary>
internal sealed class GrainsBenchHost : IAsyncDisposable
{
    public const string ServiceId = "grid-bench";

    private const string ClusterId = "grid-bench";

    /// <summary>A graceful stop; past it, the hosts stop without waiting for their parts.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly IHost _silo;
    private readonly IHost _client;
    private bool _siloStarted;
    private bool _clientStarted;

    private GrainsBenchHost(IHost silo, IHost client)
    {
        _silo = silo;
        _client = client;
    }

    /// <summary>Calls into the silo through its gateway, from the client host.</summary>
    public IClusterClient Client => _client.Services.GetRequiredService<IClusterClient>();

    /// <summary>The silo's own instance of the provider named <paramref name="provider"/>.</summary>
    public IGrainStorage Storage(string provider) =>
        _silo.Services.GetRequiredKeyedService<IGrainStorage>(provider);

    /// <summary>
    /// Builds and starts the silo (its providers connect to their stores on start), then the
    /// client. <paramref name="memoryNodes"/> is needed with the swarm provider and
    /// <paramref name="redis"/> with the redis one.
    /// </summary>
    public static async Task<GrainsBenchHost> StartAsync(
        IReadOnlyList<string> providers,
        SwarmMemoryNodes? memoryNodes,
        RedisServerProcess? redis,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var siloPort = FreePorts.Next();
        var gatewayPort = FreePorts.Next();
        var silo = CreateBuilder("grid-bench-silo");
        silo.UseOrleans(builder =>
        {
            builder.UseLocalhostClustering(siloPort, gatewayPort, serviceId: ServiceId, clusterId: ClusterId);
            foreach (var provider in providers)
            {
                AddProvider(builder, provider, memoryNodes, redis);
            }
        });
        var client = CreateBuilder("grid-bench-client");
        client.UseOrleansClient(builder => builder.UseLocalhostClustering(gatewayPort, ServiceId, ClusterId));

        var host = new GrainsBenchHost(silo.Build(), client.Build());
        try
        {
            await host._silo.StartAsync(cancellationToken).ConfigureAwait(false);
            host._siloStarted = true;
            await host._client.StartAsync(cancellationToken).ConfigureAwait(false);
            host._clientStarted = true;
            return host;
        }
        catch (Exception ex)
        {
            await host.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            // A provider that cannot reach its store fails the silo's start with its own type.
            throw new InvalidOperationException($"the silo or its client did not start: {ex.Message}", ex);
        }
    }

    /// <summary>Stops the client, then the silo (its providers disconnect), then disposes both.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            if (_clientStarted)
            {
                _clientStarted = false;
                await _client.StopAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            try
            {
                if (_siloStarted)
                {
                    _siloStarted = false;
                    await _silo.StopAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _client.Dispose();
                _silo.Dispose();
            }
        }
    }

    private static HostApplicationBuilder CreateBuilder(string name)
    {
        // No defaults: no appsettings.json or environment variables from wherever the bench
        // runs, no console lifetime (BenchHostLifetime).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = name,
        });
        builder.Logging.ClearProviders();
        // Standard error: standard output holds only the results (BenchConsoles).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, BenchHostLifetime>();
        return builder;
    }

    private static void AddProvider(
        ISiloBuilder builder, string provider, SwarmMemoryNodes? memoryNodes, RedisServerProcess? redis)
    {
        switch (provider)
        {
            case GrainsBench.Swarm:
                ArgumentNullException.ThrowIfNull(memoryNodes);
                builder.AddSwarmGrainStorage(provider, o =>
                {
                    foreach (var address in memoryNodes.Addresses)
                    {
                        o.MemoryNodes.Add(address);
                    }

                    o.ClusterKeyFile = memoryNodes.KeyFile;
                    o.WriterId = 1;
                });
                break;
            case GrainsBench.Memory:
                builder.AddMemoryGrainStorage(provider);
                break;
            case GrainsBench.Redis:
                ArgumentNullException.ThrowIfNull(redis);
                builder.AddRedisGrainStorage(provider, o => o.ConfigurationOptions = new ConfigurationOptions
                {
                    EndPoints = { redis.Address },
                });
                break;
            default:
                throw new ArgumentException($"unknown provider '{provider}'", nameof(provider));
        }
    }
}
