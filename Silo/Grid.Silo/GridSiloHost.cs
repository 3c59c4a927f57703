using System.Net;
using Grid.Persistence.Hosting;
using Grid.RdmaTransport.Tcp;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Grid.Silo;

/// <summary>
/// Builds grid-silo: an ASP.NET Core host running an Orleans silo with SWARM grain storage, the
/// Orleans dashboard at <c>/dashboard</c> and a health endpoint at <c>/health</c>.
/// </summary>
public static partial class GridSiloHost
{
    /// <summary>The storage provider name the grid's grains use.</summary>
    public const string StorageName = "swarm";

    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--memory-nodes"] = "Grid:MemoryNodes",
        ["--cluster-key"] = "Grid:ClusterKey",
        ["--cluster-key-file"] = "Grid:ClusterKeyFile",
        ["--writer-id"] = "Grid:WriterId",
        ["--embedded-memory-nodes"] = "Grid:EmbeddedMemoryNodes",
        ["--clustering"] = "Grid:Clustering",
        ["--primary"] = "Grid:PrimarySilo",
        ["--redis"] = "Grid:Redis",
        ["--silo-port"] = "Grid:SiloPort",
        ["--gateway-port"] = "Grid:GatewayPort",
        ["--advertised-address"] = "Grid:AdvertisedAddress",
        ["--http-url"] = "Grid:HttpUrl",
        ["--service-id"] = "Grid:ServiceId",
        ["--cluster-id"] = "Grid:ClusterId",
        ["--fast-failover"] = "Grid:FastFailover",
    };

    public const string Usage = """
        grid-silo: an Orleans silo of the Grid data grid, with SWARM grain storage, the dashboard
        at /dashboard and health at /health.

        Usage: grid-silo [--option value]...

          --memory-nodes H:P,H:P,H:P   grid-memnode addresses (2f+1); none: 3 embedded in-process nodes
          --cluster-key-file FILE      the memory nodes' cluster key (or --cluster-key SECRET)
          --writer-id N                this silo's SWARM writer id: 0 (default) leases a free one from the
                                       memory nodes; 1..16 names one no other running silo uses
          --embedded-memory-nodes N    how many embedded nodes without --memory-nodes (odd; default 3)
          --clustering localhost|redis membership (default localhost)
          --primary H:P                the first silo's silo port, for further silos of a localhost cluster
          --redis CONNECTION           Redis for --clustering redis (e.g. 127.0.0.1:6379)
          --silo-port N                silo-to-silo port (default 11111)
          --gateway-port N             client gateway port (default 30000)
          --advertised-address IP      address others reach this silo at (default 127.0.0.1)
          --http-url URL               dashboard and /health (default http://127.0.0.1:8080)
          --service-id ID              Orleans service id (default grid); storage keys include it
          --cluster-id ID              Orleans cluster id (default grid)
          --fast-failover true         declare dead silos within seconds (local clusters, tests)

        Every option is also a configuration key (appsettings.json section "Grid", environment
        variables such as Grid__WriterId=2).
        """;

    /// <summary>Builds the host, or returns the configuration errors that prevent it.</summary>
    public static (WebApplication? App, IReadOnlyList<string> Errors) Build(string[] args)
    {
        var unknown = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && !a.Contains(':', StringComparison.Ordinal)
            && !a.Contains('=', StringComparison.Ordinal) && !Switches.ContainsKey(a)).ToList();
        if (unknown.Count > 0)
        {
            return (null, unknown.Select(u => $"unknown option {u} (grid-silo --help lists them)").ToList());
        }

        WebApplicationBuilder builder;
        var options = new GridSiloOptions();
        try
        {
            builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
            builder.Configuration.AddCommandLine(args, Switches.ToDictionary(p => p.Key, p => p.Value));
            builder.Configuration.GetSection(GridSiloOptions.Section).Bind(options);
        }
        catch (FormatException ex)
        {
            return (null, [$"{ex.Message} (every option takes a value, for example --fast-failover true)"]);
        }
        catch (InvalidOperationException ex)
        {
            return (null, [ex.Message]);
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        builder.WebHost.UseUrls(options.HttpUrl);
        builder.Services.AddSingleton(options);
        if (options.MemoryNodeList.Count == 0)
        {
            builder.Services.AddEmbeddedMemoryNodes(options.EmbeddedMemoryNodes);
        }

        builder.UseOrleans(silo => ConfigureSilo(silo, options));
        builder.Services.AddHealthChecks().AddCheck<GridHealthCheck>("grid");

        var app = builder.Build();
        app.MapOrleansDashboard("/dashboard");
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = GridHealthCheck.WriteResponseAsync,
            ResultStatusCodes =
            {
                [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy] = StatusCodes.Status200OK,
                [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded] = StatusCodes.Status200OK,
                [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapGet("/", () => Results.Redirect("/dashboard/"));

        if (options.MemoryNodeList.Count == 0)
        {
            EmbeddedMode(app.Logger, options.EmbeddedMemoryNodes);
        }

        app.Lifetime.ApplicationStarted.Register(() => Started(app.Logger, options.GatewayPort, options.HttpUrl.TrimEnd('/')));
        return (app, []);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        var (app, errors) = Build(args);
        if (app is null)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"grid-silo: {error}");
            }

            return 2;
        }

        await app.RunAsync();
        return 0;
    }

    private static void ConfigureSilo(ISiloBuilder silo, GridSiloOptions options)
    {
        if (options.Clustering == "redis")
        {
            silo.UseRedisClustering(options.Redis!);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = options.ServiceId;
                o.ClusterId = options.ClusterId;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedAddress), options.SiloPort, options.GatewayPort);
        }
        else
        {
            var primary = options.PrimarySilo is null ? null : NetworkAddress.Parse(options.PrimarySilo);
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
        }

        if (options.FastFailover)
        {
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        }

        silo.AddSwarmGrainStorage(StorageName, o =>
        {
            foreach (var node in options.MemoryNodeList)
            {
                o.MemoryNodes.Add(node);
            }

            o.ClusterKey = options.ClusterKey;
            o.ClusterKeyFile = options.ClusterKeyFile;
            o.WriterId = options.WriterId;
        });
        silo.AddDashboard();
        // Grain invariant violations (Grid.Grains.Common) reach callers with their message, as
        // storage failures do (see AddSwarmGrainStorage).
        silo.Services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Grid.Grains"));
    }

    [LoggerMessage(1, LogLevel.Information,
        "No memory nodes configured: starting {Count} embedded in-process memory nodes. Grain state survives grain and silo restarts inside this process, not the process; pass --memory-nodes for grid-memnode processes.")]
    private static partial void EmbeddedMode(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Information, "grid-silo started: clients connect to gateway port {GatewayPort}; dashboard at {Url}/dashboard, health at {Url}/health")]
    private static partial void Started(ILogger logger, int gatewayPort, string url);
}
