using System.Net;
using Grid.Client.Accounts;
using Grid.Client.Kv;
using Grid.Client.Orders;
using Grid.Client.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Grid.Client.Hosting;

/// <summary>
/// For applications that host the Orleans client themselves: registers the client configured
/// from <see cref="GridClientOptions"/> plus the typed facades (<see cref="GridKv"/>,
/// <see cref="GridAccounts"/>, <see cref="GridOrders"/>, <see cref="GridStatus"/>) as
/// singletons. The host's start then connects, retrying until the connect timeout.
/// </summary>
public static class GridClientHostingExtensions
{
    public static IHostApplicationBuilder AddGridClient(
        this IHostApplicationBuilder builder, Action<GridClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddGridClient(configure);
        return builder;
    }

    public static IServiceCollection AddGridClient(
        this IServiceCollection services, Action<GridClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new GridClientOptions();
        configure?.Invoke(options);
        return services.AddGridClient(options);
    }

    public static IServiceCollection AddGridClient(
        this IServiceCollection services, GridClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddOrleansClient(client => Configure(client, options, gateways: null));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GridKv(sp.GetRequiredService<IGrainFactory>()));
        services.TryAddSingleton(sp => new GridAccounts(sp.GetRequiredService<IGrainFactory>()));
        services.TryAddSingleton(sp => new GridOrders(sp.GetRequiredService<IGrainFactory>()));
        services.TryAddSingleton(sp => new GridStatus(sp.GetRequiredService<IGrainFactory>()));
        return services;
    }

    /// <summary>
    /// The one place that maps options onto Orleans. <paramref name="gateways"/> are the already
    /// resolved gateway endpoints (<see cref="GridClient.ConnectAsync"/> resolves host names
    /// asynchronously first); when null, names resolve when the options are first read.
    /// </summary>
    internal static void Configure(
        IClientBuilder client, GridClientOptions options, IReadOnlyList<IPEndPoint>? gateways)
    {
        switch (options.Mode)
        {
            case GridConnectionMode.Localhost:
                client.UseLocalhostClustering(
                    options.GatewayPort, options.ServiceId, options.ClusterId);
                break;
            case GridConnectionMode.Gateways:
                var names = options.Gateways.Select(GatewayAddress.Parse).ToArray();
                client.UseStaticClustering(
                    (OptionsBuilder<StaticGatewayListProviderOptions> gatewayOptions) =>
                        gatewayOptions.Configure(o => o.Gateways =
                            [.. (gateways ?? ResolveNow(names)).Select(e => e.ToGatewayUri())]));
                break;
            case GridConnectionMode.Redis:
                client.UseRedisClustering(
                    o => o.ConfigurationOptions = RedisConfiguration(options));
                break;
            default:
                throw new ArgumentException(
                    $"unknown connection mode {options.Mode}", nameof(options));
        }

        client.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = options.ServiceId;
            o.ClusterId = options.ClusterId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        // One attempt must not outlast the whole connect budget (Orleans' default is 5 s).
        client.Configure<ConnectionOptions>(o =>
        {
            if (options.ConnectTimeout < o.OpenConnectionTimeout)
            {
                o.OpenConnectionTimeout = options.ConnectTimeout;
            }
        });
        client.Services.AddSingleton(sp => new GridConnectionRetryFilter(
            options, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        client.Services.AddSingleton<IClientConnectionRetryFilter>(
            sp => sp.GetRequiredService<GridConnectionRetryFilter>());
    }

    /// <summary>
    /// The silos' Redis, with a connect timeout that leaves room for retries within the client's
    /// own: StackExchange.Redis waits 5 s by default, longer than a short connect timeout.
    /// </summary>
    private static ConfigurationOptions RedisConfiguration(GridClientOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.RedisConnectionString!);
        var milliseconds = options.ConnectTimeout.TotalMilliseconds / 4;
        configuration.ConnectTimeout =
            (int)Math.Clamp(milliseconds, 100, configuration.ConnectTimeout);
        configuration.ConnectRetry = 1;
        return configuration;
    }

    private static List<IPEndPoint> ResolveNow(GatewayAddress[] gateways)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var gateway in gateways)
        {
            if (IPAddress.TryParse(gateway.Host, out var literal))
            {
                endpoints.Add(new IPEndPoint(literal, gateway.Port));
                continue;
            }

            endpoints.AddRange(gateway.ResolveAsync().GetAwaiter().GetResult());
        }

        return endpoints;
    }
}
