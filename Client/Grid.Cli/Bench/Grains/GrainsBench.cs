using System.Globalization;
using Grid.Persistence.Swarm;
using Grid.RdmaTransport;
using Grid.Replication.Common;
using Orleans.Persistence.Redis;
using Spectre.Console;
using StackExchange.Redis;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// <c>grid bench grains</c>: Orleans grain storage over SWARM against Orleans' memory and Redis
/// providers, in one silo, one run. Per provider it measures the provider's own
/// <c>WriteStateAsync</c> and <c>ReadStateAsync</c> (<see cref="StorageGrainPool"/>) and an
/// end-to-end grain call that writes state (<see cref="CallGrainPool"/>). Rows run op by op,
/// provider after provider, in rounds (<see cref="BenchPlan"/>), so that drift of the machine
/// lands on every provider alike. Everything started here is stopped at the end, on error and
/// on Ctrl+C (child processes are killed the moment the token fires).
/// </summary>
internal static class GrainsBench
{
    public const string Name = "grains";

    public const string Swarm = "swarm";
    public const string Memory = "memory";
    public const string Redis = "redis";

    public const string StorageWrite = "storage-write";
    public const string StorageRead = "storage-read";
    public const string Call = "call";

    /// <summary>The providers, in table order: the one under test, then the baselines.</summary>
    public static readonly IReadOnlyList<string> Systems = [Swarm, Memory, Redis];

    public static readonly IReadOnlyList<string> Ops = [StorageWrite, StorageRead, Call];

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        GrainsBenchSettings settings, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        SwarmMemoryNodes? memoryNodes = null;
        RedisServerProcess? redis = null;
        GrainsBenchHost? host = null;
        // On Ctrl+C the child processes go first, at once: the process may not live to see
        // the hosts stop.
        using var kill = cancellationToken.Register(() =>
        {
            memoryNodes?.Kill();
            redis?.Kill();
        });
        try
        {
            if (settings.RedisSkipped is { } why)
            {
                progress.MarkupLine(Markup.Escape($"{Redis}: skipped: {why}"));
            }

            if (settings.Providers.Contains(Swarm))
            {
                memoryNodes = await StartMemoryNodesAsync(settings, progress, cancellationToken)
                    .ConfigureAwait(false);
            }

            if (settings.Providers.Contains(Redis))
            {
                redis = await RedisServerProcess.StartAsync(settings.RedisServer!, cancellationToken)
                    .ConfigureAwait(false);
                progress.MarkupLine(Markup.Escape($"{Redis}: redis-server on {redis.Address}, no persistence"));
            }

            host = await GrainsBenchHost.StartAsync(settings.Providers, memoryNodes, redis, cancellationToken)
                .ConfigureAwait(false);
            progress.MarkupLine(Markup.Escape(
                $"silo and client up; providers {string.Join(", ", settings.Providers)}; " +
                $"{settings.GrainPool:N0} grains per provider and kind, {settings.ValueBytes} B values"));
            var rows = await PrepareRowsAsync(settings, host, progress, cancellationToken)
                .ConfigureAwait(false);
            return await BenchProgress.RunAsync(progress, rows, settings.Plan, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            // Nested so that a failing stop leaves no process behind.
            try
            {
                if (host is not null)
                {
                    await host.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                try
                {
                    if (memoryNodes is not null)
                    {
                        await memoryNodes.DisposeAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (redis is not null)
                    {
                        await redis.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Errors of an op that the run counts and survives: a provider or store failure, an ETag
    /// conflict, a timeout, a failed call. Anything else (a bug) ends the run.
    /// </summary>
    public static bool IsOpError(Exception exception) =>
        exception is OrleansException or SwarmStorageException or RedisStorageException or RedisException
            or TransportException or QuorumUnavailableException or TimeoutException or IOException;

    /// <summary>
    /// Under the table: <c>swarm storage-write p50 / redis storage-write p50</c> (the headline),
    /// then swarm against each baseline for every op, all from this run.
    /// </summary>
    public static IReadOnlyList<string> DescribeRatios(IReadOnlyList<BenchResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var lines = new List<string>();
        if (Ratio(results, StorageWrite, Redis) is { } headline)
        {
            lines.Add($"{Swarm} {StorageWrite} p50 / {Redis} {StorageWrite} p50 = {headline}");
        }

        foreach (var baseline in (string[])[Memory, Redis])
        {
            var parts = Ops.Select(op => (op, ratio: Ratio(results, op, baseline)))
                .Where(p => p.ratio is not null)
                .Select(p => $"{p.op} {p.ratio}")
                .ToList();
            if (parts.Count > 0)
            {
                lines.Add($"{Swarm} p50 / {baseline} p50: {string.Join(", ", parts)}");
            }
        }

        return lines;
    }

    private static async Task<SwarmMemoryNodes> StartMemoryNodesAsync(
        GrainsBenchSettings settings, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        if (settings.MemoryNodes is { } addresses)
        {
            progress.MarkupLine(Markup.Escape($"{Swarm}: memory nodes {string.Join(", ", addresses)}"));
            return SwarmMemoryNodes.External(addresses, settings.ClusterKeyFile!);
        }

        var nodes = await SwarmMemoryNodes.StartAsync(cancellationToken).ConfigureAwait(false);
        progress.MarkupLine(Markup.Escape(
            $"{Swarm}: {SwarmMemoryNodes.Count} grid-memnode processes on loopback " +
            $"({string.Join(", ", nodes.Addresses)}), region 0 of " +
            $"{SwarmMemoryNodes.RegionMiB} MiB each"));
        return nodes;
    }

    /// <summary>
    /// Writes every storage record and calls every grain once per provider (not measured), then
    /// returns the rows: op by op, each provider's row next to the others'.
    /// </summary>
    private static async Task<IReadOnlyList<BenchRow>> PrepareRowsAsync(
        GrainsBenchSettings settings,
        GrainsBenchHost host,
        IAnsiConsole progress,
        CancellationToken cancellationToken)
    {
        var value = new byte[settings.ValueBytes];
        new Random(0).NextBytes(value);
        var storagePools = new Dictionary<string, StorageGrainPool>();
        var callPools = new Dictionary<string, CallGrainPool>();
        foreach (var provider in settings.Providers)
        {
            progress.MarkupLine(Markup.Escape(
                $"{provider}: writing {settings.GrainPool:N0} records, " +
                $"activating {settings.GrainPool:N0} grains"));
            var storage = new StorageGrainPool(host.Storage(provider), settings.GrainPool, value);
            await storage.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var calls = new CallGrainPool(host.Client, provider, settings.GrainPool, value);
            await calls.PrepareAsync(cancellationToken).ConfigureAwait(false);
            storagePools[provider] = storage;
            callPools[provider] = calls;
        }

        var loops = settings.Concurrency;
        var rows = new List<BenchRow>();
        foreach (var op in Ops)
        {
            foreach (var provider in settings.Providers)
            {
                Func<int, Func<ValueTask>> createLoop = op switch
                {
                    StorageWrite => loop => storagePools[provider].WriteOp(loop, loops),
                    StorageRead => loop => storagePools[provider].ReadOp(loop, loops),
                    _ => loop => callPools[provider].CallOp(loop, loops),
                };
                rows.Add(new BenchRow(provider, op, loops, createLoop) { IsError = IsOpError });
            }
        }

        return rows;
    }

    private static string? Ratio(IReadOnlyList<BenchResult> results, string op, string baseline)
    {
        var swarm = results.FirstOrDefault(r => r.System == Swarm && r.Op == op);
        var other = results.FirstOrDefault(r => r.System == baseline && r.Op == op);
        return swarm is null || other is not { P50Microseconds: > 0 }
            ? null
            : (swarm.P50Microseconds / other.P50Microseconds)
                .ToString("0.00", CultureInfo.InvariantCulture) + "x";
    }
}
