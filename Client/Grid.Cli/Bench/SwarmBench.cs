using System.Diagnostics;
using System.Globalization;
using Grid.RdmaTransport;
using Grid.Replication.Common;
using Grid.Replication.Kv;
using Grid.Replication.Kv.RawReplicated;
using Spectre.Console;

namespace Grid.Cli.Bench;

/// <summary>
/// <c>grid bench swarm</c>: the SWARM paper's key-value comparison (spec swarm.md §5) in one
/// run. Each system in turn (<see cref="KvSystem.ForBench"/>) gets fresh memory nodes and
/// <c>--clients</c> clients, each its own store instance with its own writer id and queue pairs
/// and one op in flight. Client 1 loads every key (InsertAsync), every client then gets every
/// key once so its key-location cache is warm (the steady state of the paper's 1 M-op warm-up),
/// and a warm-up of ops runs; none of it is measured. Then the YCSB mix runs, measured per op
/// kind. With a crash requested, memory node 0 of each replicated system is killed that long
/// into its measured phase, throughput is kept per 100 ms window, and after the run every key is
/// read back and checked against the acknowledged updates (<see cref="LostWriteCheck"/>).
/// </summary>
internal static class SwarmBench
{
    public const string Name = "swarm";

    /// <summary>The node a crash kills: the primary (in-place copy holder) of a third of the keys.</summary>
    public const int CrashedNode = 0;

    private const int LoadSeed = 0;

    public static async Task<SwarmBenchOutcome> RunAsync(
        SwarmBenchSettings settings, IAnsiConsole progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var keys = new byte[settings.Keys][];
        for (var key = 0; key < keys.Length; key++)
        {
            keys[key] = YcsbWorkload.Key(key);
        }

        var results = new List<BenchResult>();
        var reports = new List<BenchSystemReport>();
        foreach (var system in KvSystem.ForBench(settings))
        {
            var (rows, report) = await RunSystemAsync(system, settings, keys, progress, cancellationToken)
                .ConfigureAwait(false);
            results.AddRange(rows);
            if (report is not null)
            {
                reports.Add(report);
            }
        }

        return new SwarmBenchOutcome(results, reports);
    }

    /// <summary>Errors of an op that the run counts and survives: the fabric or a quorum failed.</summary>
    public static bool IsStoreError(Exception exception) =>
        exception is TransportException or QuorumUnavailableException or TimeoutException or IOException;

    /// <summary>
    /// The baselines of the ratio lines, in run order: RAW (one node), then raw-replicated (the
    /// same 2f+1 nodes as the replicated protocols, no safety).
    /// </summary>
    public static readonly IReadOnlyList<string> Baselines = ["raw", RawReplicatedKvStore.SystemName];

    /// <summary>
    /// One line per baseline, "swarm get p50 / raw = 1.05x; ...": every system that is not that
    /// baseline or an earlier one, per op, against it (so raw-replicated appears against raw,
    /// and DM-ABD and SWARM against both).
    /// </summary>
    public static IReadOnlyList<string> DescribeRatios(IReadOnlyList<BenchResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var lines = new List<string>();
        for (var b = 0; b < Baselines.Count; b++)
        {
            var baseline = Baselines[b];
            var excluded = Baselines.Take(b + 1).ToHashSet(StringComparer.Ordinal);
            var parts = new List<string>();
            foreach (var op in KvClientLoop.Ops)
            {
                var reference = results.FirstOrDefault(r => r.System == baseline && r.Op == op);
                foreach (var other in results.Where(r => !excluded.Contains(r.System) && r.Op == op))
                {
                    parts.Add(reference is { P50Microseconds: > 0 }
                        ? $"{other.System} {op} p50 / {baseline} = " +
                            (other.P50Microseconds / reference.P50Microseconds).ToString("0.00", CultureInfo.InvariantCulture) + "x"
                        : $"{other.System} {op} p50 / {baseline} = n/a");
                }
            }

            if (parts.Count > 0)
            {
                lines.Add(string.Join("; ", parts));
            }
        }

        return lines;
    }

    private static async Task<(IReadOnlyList<BenchResult> Rows, BenchSystemReport? Report)> RunSystemAsync(
        KvSystem system,
        SwarmBenchSettings settings,
        byte[][] keys,
        IAnsiConsole progress,
        CancellationToken cancellationToken)
    {
        var crashAt = system.Replicated ? settings.CrashAt : null;
        progress.MarkupLine(Markup.Escape(
            $"{system.Name}: {system.MemoryNodes} memory node(s) on {settings.Fabric}, " +
            $"region 0 of {(system.RegionBytes + (1 << 20) - 1) >> 20} MiB each"));
        var nodes = await MemoryNodeSet.StartAsync(settings, system.MemoryNodes, system.RegionBytes, cancellationToken)
            .ConfigureAwait(false);
        var queuePairs = new List<QueuePair>();
        var stores = new List<IKeyValueStore>();
        // Stops a pending crash when the run fails before it: the nodes are gone by then.
        using var crashCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            for (var client = 1; client <= settings.Clients; client++)
            {
                var own = new QueuePair[nodes.Count];
                for (var node = 0; node < nodes.Count; node++)
                {
                    own[node] = await nodes.ConnectAsync(node, new NodeId((uint)client), cancellationToken)
                        .ConfigureAwait(false);
                    queuePairs.Add(own[node]);
                }

                stores.Add(await system.StartClientAsync(client, own).ConfigureAwait(false));
            }

            progress.MarkupLine(Markup.Escape(
                $"{system.Name}: loading {keys.Length:N0} keys (client 1), warming every client's cache"));
            var load = await LoadAsync(stores[0], keys, settings.ValueBytes, cancellationToken).ConfigureAwait(false);
            await WarmCachesAsync(stores, keys, cancellationToken).ConfigureAwait(false);

            var phase = new MeasuredPhase();
            var loops = new KvClientLoop[stores.Count];
            for (var client = 0; client < loops.Length; client++)
            {
                loops[client] = new KvClientLoop(
                    stores[client], keys, settings.Workload, settings.ValueBytes, client + 1, phase);
            }

            Task<double>? crash = null;
            var row = new BenchRow(system.Name, KvClientLoop.Ops, loops.Length, loop => loops[loop])
            {
                IsError = IsStoreError,
                MeasurementStarting = start =>
                {
                    phase.Begin(start);
                    if (crashAt is { } delay)
                    {
                        crash = CrashLaterAsync(nodes, start, delay, crashCancel.Token);
                    }
                },
                MinimumMeasuredDuration = crashAt + SwarmBenchSettings.AfterCrash,
            };
            var rows = await BenchProgress.RunAsync(progress, [row], settings.Plan, cancellationToken)
                .ConfigureAwait(false);
            var measured = Stopwatch.GetElapsedTime(phase.Start);
            if (crash is null)
            {
                return (rows, null);
            }

            var crashedAtMs = await crash.ConfigureAwait(false);
            progress.MarkupLine(Markup.Escape($"{system.Name}: checking {keys.Length:N0} keys for lost writes"));
            var check = new LostWriteCheck([load, .. loops.Select(l => l.History)]);
            var (lost, checkedKeys, checkErrors) = await CheckAsync(stores, keys, check, cancellationToken)
                .ConfigureAwait(false);
            return (rows, new BenchSystemReport
            {
                System = system.Name,
                Crash = new BenchCrashReport
                {
                    AtMilliseconds = crashedAtMs,
                    MemoryNode = CrashedNode,
                    FailedOps = rows.Sum(r => r.Errors),
                    LostWrites = lost,
                    CheckedKeys = checkedKeys,
                    CheckErrors = checkErrors,
                },
                Timeline = ThroughputTimeline.Merge(loops.Select(l => l.Timeline), measured),
            });
        }
        finally
        {
            await crashCancel.CancelAsync().ConfigureAwait(false);
            foreach (var store in stores)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var queuePair in queuePairs)
            {
                await queuePair.DisposeAsync().ConfigureAwait(false);
            }

            await nodes.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Client 1 inserts every key with a random value; returns the loads as acknowledged writes.</summary>
    private static async Task<WriteHistory> LoadAsync(
        IKeyValueStore loader, byte[][] keys, int valueBytes, CancellationToken cancellationToken)
    {
        var history = new WriteHistory(source: 0);
        var random = new Random(LoadSeed);
        for (var key = 0; key < keys.Length; key++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = new byte[valueBytes];
            random.NextBytes(value);
            history.Stamp(value);
            var write = history.Begin(key, value, Stopwatch.GetTimestamp());
            await loader.InsertAsync(keys[key], value).ConfigureAwait(false);
            history.Acknowledge(write, Stopwatch.GetTimestamp());
        }

        return history;
    }

    /// <summary>Every client gets every key once, all clients at once: caches hold every location.</summary>
    private static Task WarmCachesAsync(
        IReadOnlyList<IKeyValueStore> stores, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken) =>
        Task.WhenAll(stores.Select(store => Task.Run(async () =>
        {
            foreach (var key in keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await store.GetAsync(key).ConfigureAwait(false);
            }
        }, cancellationToken)));

    /// <summary>
    /// Kills the node <paramref name="delay"/> after the measured phase started; returns when,
    /// in ms. On a thread of its own: the loops of an in-process run complete inline and keep
    /// every pool thread busy, so a pool timer would fire late (by seconds on 2 cores).
    /// </summary>
    private static Task<double> CrashLaterAsync(
        MemoryNodeSet nodes, long start, TimeSpan delay, CancellationToken cancellationToken)
    {
        var crashed = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // A timed wait may return a little early (timer granularity): wait again.
                TimeSpan remaining;
                while ((remaining = delay - Stopwatch.GetElapsedTime(start)) > TimeSpan.Zero)
                {
                    cancellationToken.WaitHandle.WaitOne(remaining);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var at = Stopwatch.GetElapsedTime(start);
                nodes.Crash(CrashedNode);
                crashed.SetResult(Math.Round(at.TotalMilliseconds, 1));
            }
            catch (Exception ex)
            {
                crashed.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "bench crash timer",
        };
        thread.Start();
        return crashed.Task;
    }

    /// <summary>
    /// Reads every key back, the clients splitting the keys, and counts the values no correct
    /// store could return.
    /// </summary>
    private static async Task<(long Lost, long Checked, long Errors)> CheckAsync(
        List<IKeyValueStore> stores,
        byte[][] keys,
        LostWriteCheck check,
        CancellationToken cancellationToken)
    {
        long lost = 0;
        long checkedKeys = 0;
        long errors = 0;
        await Task.WhenAll(stores.Select((store, client) => Task.Run(async () =>
        {
            for (var key = client; key < keys.Length; key += stores.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var read = await store.GetAsync(keys[key]).ConfigureAwait(false);
                    Interlocked.Increment(ref checkedKeys);
                    if (!check.IsLegal(key, read.Value))
                    {
                        Interlocked.Increment(ref lost);
                    }
                }
                catch (Exception ex) when (IsStoreError(ex))
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }, cancellationToken))).ConfigureAwait(false);
        return (lost, checkedKeys, errors);
    }
}
