using Grid.Persistence.Hosting;
using Grid.Persistence.MemoryNodes;
using Grid.Persistence.Swarm;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Grid.Persistence.Tests;

/// <summary>
/// An in-process Orleans cluster whose silos share one set of embedded memory nodes and store
/// grain state with SWARM under <see cref="StorageName"/>; each silo start gets a fresh writer id.
/// </summary>
public sealed class SwarmCluster : IAsyncDisposable
{
    public const string StorageName = "swarm";

    private int _nextWriterId;

    private SwarmCluster(short silos, Action<SwarmGrainStorageOptions>? configure)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            var writerId = Interlocked.Increment(ref _nextWriterId);
            silo.Services.AddEmbeddedMemoryNodes(MemoryNodes);
            silo.AddSwarmGrainStorage(StorageName, o =>
            {
                o.WriterId = writerId;
                o.SweepInterval = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(o);
            });
        });
        Cluster = builder.Build();
    }

    public EmbeddedMemoryNodes MemoryNodes { get; } = new(3);

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    public static async Task<SwarmCluster> StartAsync(short silos = 2, Action<SwarmGrainStorageOptions>? configure = null)
    {
        var cluster = new SwarmCluster(silos, configure);
        await cluster.Cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The SWARM provider of silo <paramref name="silo"/> (0-based among the live silos).</summary>
    public SwarmGrainStorage Storage(int silo) =>
        (SwarmGrainStorage)Cluster.GetSiloServiceProvider(Cluster.Silos[silo].SiloAddress)
            .GetRequiredKeyedService<IGrainStorage>(StorageName);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        MemoryNodes.Dispose();
    }
}

/// <summary>One two-silo cluster shared by the tests of a collection (each test uses its own grain ids).</summary>
public sealed class SwarmClusterFixture : IAsyncLifetime
{
    public SwarmCluster Swarm { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Swarm = await SwarmCluster.StartAsync();

    public async ValueTask DisposeAsync() => await Swarm.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SwarmClusterCollection : ICollectionFixture<SwarmClusterFixture>
{
    public const string Name = "swarm-cluster";
}
