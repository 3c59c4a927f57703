using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Grid.Grains.Tests.Cluster;

/// <summary>
/// Two in-process silos and a client. The grains' storage <see cref="GridStorage.Name"/> is
/// Orleans' memory storage behind <see cref="FaultyGrainStorage"/>, until the swarm provider is
/// swapped in. Tests share the cluster, so each uses its own grain keys.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private const string InnerStorageName = "swarm-memory";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public StorageFaults Faults { get; } = new();

    public IGrainFactory Grains => Cluster.Client;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(InnerStorageName);
            silo.Services.AddGrainStorage(GridStorage.Name, (services, _) =>
                new FaultyGrainStorage(
                    services.GetRequiredKeyedService<IGrainStorage>(InnerStorageName), Faults));
            // A wait-for cycle between grains fails a test in seconds instead of half a minute.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(15));
        });
        builder.ConfigureClient(client =>
            client.Configure<ClientMessagingOptions>(o =>
                o.ResponseTimeout = TimeSpan.FromSeconds(20)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
            await Cluster.DisposeAsync();
    }

    /// <summary>Deactivates the grain's activation; the next call re-reads storage.</summary>
    public Task DeactivateAsync(IAddressable grain) => Cluster.DeactivateAsync(grain);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
