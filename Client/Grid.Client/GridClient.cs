using System.Net;
using System.Net.Sockets;
using Grid.Client.Accounts;
using Grid.Client.Hosting;
using Grid.Client.Kv;
using Grid.Client.Orders;
using Grid.Client.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Client;

/// <summary>
/// A connection to the grid: an Orleans client in its own host, and the typed facades over it.
/// <code>
/// await using var grid = await GridClient.ConnectAsync(GridClientOptions.ForLocalhost());
/// var version = await grid.Kv.PutAsync("greeting", "hello");
/// </code>
/// Thread-safe; one per process is the norm. Dispose it to leave the cluster.
/// </summary>
public sealed class GridClient : IAsyncDisposable
{
    /// <summary>How long disposal waits for the client to leave the cluster cleanly.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly IHost _host;
    private int _disposed;

    private GridClient(IHost host, GridClientOptions options)
    {
        _host = host;
        Options = options;
        ClusterClient = host.Services.GetRequiredService<IClusterClient>();
        Kv = new GridKv(ClusterClient);
        Accounts = new GridAccounts(ClusterClient);
        Orders = new GridOrders(ClusterClient);
        Status = new GridStatus(ClusterClient);
    }

    public GridClientOptions Options { get; }

    /// <summary>The underlying Orleans client, for grains the facades do not cover.</summary>
    public IClusterClient ClusterClient { get; }

    public GridKv Kv { get; }

    public GridAccounts Accounts { get; }

    public GridOrders Orders { get; }

    public GridStatus Status { get; }

    /// <summary>
    /// Connects, retrying every <see cref="GridClientOptions.ConnectRetryDelay"/> until a gateway
    /// answers or <see cref="GridClientOptions.ConnectTimeout"/> runs out.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="GridConnectionException">No silo answered in time.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<GridClient> ConnectAsync(
        GridClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);

        var gateways = options.Mode == GridConnectionMode.Gateways
            ? await ResolveGatewaysAsync(options, cancellationToken, deadline.Token)
                .ConfigureAwait(false)
            : null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "grid-client",
        });
        builder.Logging.ClearProviders();
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.UseOrleansClient(
            client => GridClientHostingExtensions.Configure(client, options, gateways));
        var host = builder.Build();
        try
        {
            await host.StartAsync(deadline.Token).ConfigureAwait(false);
            return new GridClient(host, options);
        }
        catch (Exception ex)
        {
            var filter = host.Services.GetService<GridConnectionRetryFilter>();
            await StopAndDisposeAsync(host).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var cause = ex is OperationCanceledException && filter?.LastFailure is { } last
                ? last
                : ex;
            var redis = options.Mode == GridConnectionMode.Redis ? FindRedisFailure(cause) : null;
            throw new GridConnectionException(
                redis is null ? NoSiloMessage(options) : RedisMessage(options, redis), cause);
        }
    }

    /// <summary>The message of a <see cref="GridConnectionException"/> for these options.</summary>
    public static string NoSiloMessage(GridClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"no silo answered at {options.DescribeTarget()}: is grid-silo running?";
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAndDisposeAsync(_host).ConfigureAwait(false);
    }

    private static string RedisMessage(GridClientOptions options, Exception redis) =>
        "cannot read the membership table from Redis " +
        $"{GridClientOptions.RedactRedis(options.RedisConnectionString)} " +
        $"(service {options.ServiceId}, cluster {options.ClusterId}): {redis.Message}";

    /// <summary>Redis itself unreachable, as opposed to Redis naming no live gateway.</summary>
    private static Exception? FindRedisFailure(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; depth++)
        {
            var space = exception.GetType().Namespace;
            if (space?.StartsWith("StackExchange.Redis", StringComparison.Ordinal) == true)
            {
                return exception;
            }

            exception = exception.InnerException;
        }

        return null;
    }

    private static async Task<IPEndPoint[]> ResolveGatewaysAsync(
        GridClientOptions options, CancellationToken cancellationToken, CancellationToken deadline)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var text in options.Gateways)
        {
            var gateway = GatewayAddress.Parse(text);
            try
            {
                endpoints.AddRange(await gateway.ResolveAsync(deadline).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException
                && !cancellationToken.IsCancellationRequested)
            {
                throw new GridConnectionException(
                    $"cannot resolve gateway host '{gateway.Host}': {ex.Message}", ex);
            }
        }

        return [.. endpoints];
    }

    private static async Task StopAndDisposeAsync(IHost host)
    {
        using var stop = new CancellationTokenSource(StopTimeout);
        try
        {
            await host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Leaving a cluster that is gone fails; the host is disposed either way.
        }

        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }
}
