using Grid.Persistence.MemoryNodes;
using Grid.Persistence.Swarm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Persistence.Hosting;

/// <summary>Registers SWARM grain storage providers, as Orleans' own providers are registered.</summary>
public static class SwarmGrainStorageExtensions
{
    /// <summary>
    /// Namespaces of the exceptions a SWARM provider throws or wraps (storage, replication and
    /// transport failures), which reach grain callers.
    /// </summary>
    private static readonly string[] ExceptionNamespaces =
        ["Grid.Persistence", "Grid.Replication", "Grid.RdmaTransport"];

    /// <summary>Adds a SWARM grain storage provider named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddSwarmGrainStorage(
        this ISiloBuilder builder, string name, Action<SwarmGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSwarmGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a SWARM grain storage provider as the default ("Default") provider.</summary>
    public static ISiloBuilder AddSwarmGrainStorageAsDefault(
        this ISiloBuilder builder, Action<SwarmGrainStorageOptions>? configure = null) =>
        builder.AddSwarmGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds a SWARM grain storage provider as the default ("Default") provider.</summary>
    public static IServiceCollection AddSwarmGrainStorageAsDefault(
        this IServiceCollection services, Action<SwarmGrainStorageOptions>? configure = null) =>
        services.AddSwarmGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds a SWARM grain storage provider named <paramref name="name"/>.</summary>
    public static IServiceCollection AddSwarmGrainStorage(
        this IServiceCollection services, string name, Action<SwarmGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = services.AddOptions<SwarmGrainStorageOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Ours runs first: binary state unless the user chose a serializer; Orleans' configurator
        // then fills nothing (it only sets a serializer that is still null).
        services.AddTransient<IPostConfigureOptions<SwarmGrainStorageOptions>, SwarmSerializerDefaults>();
        services.AddTransient<IPostConfigureOptions<SwarmGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<SwarmGrainStorageOptions>>();
        // A storage failure fails the grain call, and the exception travels to the caller. Orleans
        // only serializes exceptions of listed namespaces (or [GenerateSerializer] ones) and
        // otherwise answers "Could not find a codec for type ...", losing the reason. Listed, the
        // exception codec carries type name, message and inner exceptions; a client without
        // these assemblies (grid) still gets the message, as UnavailableExceptionFallbackException.
        services.Configure<ExceptionSerializationOptions>(o =>
        {
            foreach (var prefix in ExceptionNamespaces)
            {
                o.SupportedNamespacePrefixes.Add(prefix);
            }
        });
        services.AddTransient<IConfigurationValidator>(sp => new SwarmGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<SwarmGrainStorageOptions>>().Get(name), name));
        return services.AddGrainStorage(name, (sp, n) => ActivatorUtilities.CreateInstance<SwarmGrainStorage>(
            sp, n, sp.GetRequiredService<IOptionsMonitor<SwarmGrainStorageOptions>>().Get(n)));
    }

    /// <summary>
    /// Registers <paramref name="count"/> in-process memory nodes for SWARM providers configured
    /// without addresses (the embedded default). State lives as long as the process.
    /// </summary>
    public static IServiceCollection AddEmbeddedMemoryNodes(this IServiceCollection services, int count = 3)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(_ => new EmbeddedMemoryNodes(count));
        return services;
    }

    /// <summary>Shares <paramref name="nodes"/> (one set of memory nodes for the silos of a test cluster).</summary>
    public static IServiceCollection AddEmbeddedMemoryNodes(this IServiceCollection services, EmbeddedMemoryNodes nodes)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(nodes);
        return services;
    }
}
