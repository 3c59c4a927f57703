using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grid.Client;
using Grid.Persistence.Swarm;
using Grid.Replication.Swarm;
using Grid.Testing.Linearizability;
using Grid.Testing.Processes;
using Orleans.Runtime;

namespace Grid.EndToEnd.Tests;

/// <summary>
/// A rolling restart as an operator would run it: 3 <c>grid-memnode --data</c> processes, 2
/// <c>grid-silo</c> processes and writers and readers on both silos' gateways (the
/// <c>Grid.Client</c> library the CLI is built on, on shared keys, and one <c>grid kv import</c>
/// process per gateway). Each memory node is SIGKILLed and started again on its address and data
/// file, one after the other, twice around, while the writers go on; then once around with each
/// node's data file deleted: both silos refuse the empty memory, rebuild it and are healthy again. Every operation is recorded
/// (call, return, value) and the history is checked for linearizability; every key is read back
/// through both gateways after its grain was deactivated, so that it comes from the memory nodes.
/// </summary>
[Collection(ProcessesCollection.Name)]
public sealed class RollingMemoryNodeRestartTests(ITestOutputHelper output)
{
    private const int SharedKeys = 16;

    /// <summary>
    /// Keys each import cycles through. Bounded: the default SWARM layout has 4 entries per writer
    /// in each of 16,384 buckets, and a first run with one new key per line (about 10,600 keys) filled
    /// one of writer 1's buckets ("all 4 of its entries in bucket 12903 in use").
    /// </summary>
    private const int CliKeysPerGateway = 256;
    private const int WorkersPerGateway = 2;
    private const int Rounds = 2;

    /// <summary>How long each node stays down, with the writers going on 2 of 3 nodes.</summary>
    private static readonly TimeSpan DownTime = TimeSpan.FromSeconds(1.5);

    /// <summary>How long the writers go on after the rebuilds before the end.</summary>
    private static readonly TimeSpan RefusedTime = TimeSpan.FromSeconds(3);

    /// <summary>How long the silos may take to rebuild a node that came back empty (a sweep is every 10 s).</summary>
    private static readonly TimeSpan RebuildDeadline = TimeSpan.FromSeconds(90);

    /// <summary>How long a silo may take to report a change at /health.</summary>
    private static readonly TimeSpan HealthDeadline = TimeSpan.FromSeconds(45);

    /// <summary>How long the CLI may take to acknowledge one line of the import.</summary>
    private static readonly TimeSpan CliAckDeadline = TimeSpan.FromSeconds(40);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Kill_9_rolling_restarts_of_every_memory_node_under_load_lose_nothing_and_stay_linearizable()
    {
        var regionBytes = SwarmKvStore.RegionBytesFor(SwarmGrainStorageOptions.DefaultLayout());
        var home = Path.Combine(Path.GetTempPath(), $"grid-e2e-rolling-{Guid.NewGuid():N}");
        await using var memoryNodes = await MemoryNodeCluster.StartAsync(3, regionBytes, home);
        await using var first = await SiloProcess.StartAsync(memoryNodes.SiloArguments(writerId: 0));
        await using var second = await SiloProcess.StartAsync(memoryNodes.SiloArguments(writerId: 0), first.SiloPort);
        SiloProcess[] silos = [first, second];
        await using var clientA = await GridClient.ConnectAsync(Patient(GridClientOptions.ForGateways(first.Gateway)));
        await using var clientB = await GridClient.ConnectAsync(Patient(GridClientOptions.ForGateways(second.Gateway)));
        GridClient[] clients = [clientA, clientB];
        await WaitForActiveSilosAsync(clientA, 2);
        var initial = await WaitForHealthAsync(silos, "every node connected",
            h => Status(h) == "healthy" && Nodes(h).All(n => Connection(n) == "connected"));
        var admitted = Nodes(initial[0]).Select(n => n.GetProperty("incarnation").GetString()).ToArray();
        var writerIds = silos.Select((_, s) => initial[s].GetProperty("writerId").GetInt32()).ToArray();
        Log($"grid up: 3 memory nodes ({string.Join(", ", memoryNodes.Addresses)}), silos on gateways " +
            $"{first.Gateway} and {second.Gateway} with writer ids {writerIds[0]} and {writerIds[1]}");

        var run = $"rr{Guid.NewGuid():N}"[..10];
        var workload = new Workload(run);
        using var stop = new CancellationTokenSource();
        var workers = new List<Task>();
        for (var g = 0; g < 2; g++)
        {
            for (var w = 0; w < WorkersPerGateway; w++)
            {
                var (client, gateway, id) = (clients[g], g, (g * 10) + w);
                workers.Add(Task.Run(() => workload.LibraryWorkerAsync(client, id, gateway, stop.Token)));
            }
        }

        var imports = silos.Select((silo, g) => ChildProcess.Start(RepositoryPaths.GridCli,
            ["kv", "import", "--gateway", silo.Gateway, "--key-timeout", "30", "--connect-timeout", "60"])).ToArray();
        try
        {
            for (var g = 0; g < 2; g++)
            {
                var import = imports[g];
                var gateway = g;
                workers.Add(Task.Run(() => workload.CliImportAsync(import, gateway, stop.Token)));
            }

            // Warm up: every worker has acknowledged operations before the first kill.
            await WaitForOpsAsync(workload, 200);
            Log($"warm-up done: {workload.Summary()}");
            var steps = new List<StepReport>();

            for (var round = 1; round <= Rounds; round++)
            {
                for (var i = 0; i < 3; i++)
                {
                    var step = $"round {round}, node {i}";
                    workload.Step = step;
                    var ops = workload.Completed;
                    var started = _clock.Elapsed;
                    await memoryNodes.KillAsync(i);
                    var node = i;
                    await WaitForHealthAsync(silos, $"{step}: node {i} down",
                        h => Status(h) == "degraded" && !Nodes(h)[node].GetProperty("reachable").GetBoolean());
                    var down = _clock.Elapsed - started;

                    // Writers go on with 2 of 3 nodes; reactivated grains read from those 2.
                    await Task.Delay(DownTime / 2);
                    var collected = await CollectActivationsAsync(clientA);
                    await Task.Delay(DownTime / 2);

                    var restarted = _clock.Elapsed;
                    await memoryNodes.RestartAsync(i);
                    var nodeUp = _clock.Elapsed - restarted;
                    var perSilo = new TimeSpan[2];
                    var healthy = await WaitForHealthAsync(silos, $"{step}: node {i} back", h => Status(h) == "healthy", perSilo);
                    var recovery = _clock.Elapsed - restarted;
                    foreach (var h in healthy)
                    {
                        var back = Nodes(h)[i];
                        Assert.Equal("connected", Connection(back));
                        Assert.Equal(admitted[i], back.GetProperty("incarnation").GetString());
                        Assert.Equal(round, back.GetProperty("reconnects").GetInt32());
                    }

                    Assert.All(silos, s => Assert.False(s.HasExited, $"a silo exited: {s.StandardError}"));
                    var report = new StepReport(step, down, nodeUp, recovery, perSilo[0], perSilo[1],
                        workload.Completed - ops, collected, workload.FailuresIn(step));
                    steps.Add(report);
                    Log(report.ToString());
                }
            }

            // Once around with each node's data file deleted: both silos refuse the empty memory,
            // rebuild it (repair the other two, then count it empty) and are healthy again, while
            // the writers go on. The next node goes only once the record is whole again.
            for (var i = 0; i < 3; i++)
            {
                var step = $"node {i} back empty";
                workload.Step = step;
                var ops = workload.Completed;
                var started = _clock.Elapsed;
                await memoryNodes.KillAsync(i);
                await memoryNodes.RestartAsync(i, deleteData: true);
                var node = i;
                var gone = admitted[i];
                var refused = await WaitForHealthAsync(silos, $"{step}: refused or rebuilt",
                    h => Connection(Nodes(h)[node]) == "needs-rebuild" || Incarnation(Nodes(h)[node]) != gone);
                var refusedAfter = _clock.Elapsed - started;
                var perSilo = new TimeSpan[2];
                var rebuilt = await WaitForHealthAsync(silos, $"{step}: rebuilt", h => Status(h) == "healthy"
                    && Incarnation(Nodes(h)[node]) != gone && Nodes(h).All(n => !n.TryGetProperty("rebuild", out _)), perSilo,
                    RebuildDeadline);
                var rebuiltAfter = _clock.Elapsed - started;
                var now = Incarnation(Nodes(rebuilt[0])[node]);
                foreach (var h in rebuilt)
                {
                    Assert.All(Nodes(h), n => Assert.Equal("connected", Connection(n)));
                    Assert.Equal(now, Incarnation(Nodes(h)[node]));
                }

                admitted[i] = now;
                Assert.All(silos, s => Assert.False(s.HasExited, $"a silo exited: {s.StandardError}"));
                Log($"{step}: refused {refusedAfter.TotalSeconds:F1} s after the kill, rebuilt and healthy on both silos " +
                    $"{rebuiltAfter.TotalSeconds:F1} s after it (silo A / B {perSilo[0].TotalSeconds:F1} / " +
                    $"{perSilo[1].TotalSeconds:F1} s), incarnation {gone} -> {now}; {workload.Completed - ops} ops, " +
                    $"{workload.FailuresIn(step)} failed");
            }

            var emptyCollected = await CollectActivationsAsync(clientA);
            await Task.Delay(RefusedTime);
            Log($"after the rebuilds: {emptyCollected} activations collected, writers went on for {RefusedTime.TotalSeconds} s");

            // Stop the writers, then let the imports finish their last line and exit.
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            foreach (var import in imports)
            {
                import.Input.Close();
            }

            for (var g = 0; g < 2; g++)
            {
                var exit = await imports[g].WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, $"grid kv import on gateway {g} exited {exit}: {imports[g].StandardError}");
            }

            Log($"writers stopped after {_clock.Elapsed.TotalSeconds:F1} s: {workload.Summary()}");
            Log("step | node down seen (s) | node listening (s) | healthy again (s) | silo A / silo B (s) | ops | collected | failed");
            foreach (var s in steps)
            {
                Log(s.Row());
            }

            // Every key read back through both gateways, from storage: no activation is left.
            var remaining = await DeactivateAllAsync(clientA);
            var (lost, readBack) = await workload.ReadBackAsync(clients);
            Log($"read back {readBack} keys through each gateway after deactivating them " +
                $"({remaining} kv activations left); {lost.Count} acknowledged writes lost");

            // The CLI reads keys the other gateway's import wrote.
            var cliReads = Stopwatch.StartNew();
            for (var g = 0; g < 2; g++)
            {
                foreach (var (key, expected) in workload.CliSamples(g))
                {
                    var (exit, got, error) = await ChildProcess.RunAsync(RepositoryPaths.GridCli,
                        ["kv", "get", key, "--gateway", silos[g].Gateway, "--connect-timeout", "60"], TimeSpan.FromMinutes(1));
                    Assert.True(exit == 0, $"grid kv get {key} through gateway {g} exited {exit}: {error}");
                    Assert.Equal(expected, got.Trim());
                }
            }

            Log($"grid kv get read 2 keys through each gateway in {cliReads.Elapsed.TotalSeconds:F1} s");
            var check = Stopwatch.StartNew();
            var history = workload.Recorder.Operations;
            var verdict = LinearizabilityChecker.Check(history, budget: TimeSpan.FromSeconds(60));
            Log($"linearizability: {verdict.Explanation.Split('\n')[0]} checked in {check.Elapsed.TotalSeconds:F1} s " +
                $"({history.Count} operations)");
            Log($"total {_clock.Elapsed.TotalSeconds:F1} s");

            Assert.True(workload.Failures.IsEmpty,
                $"{workload.Failures.Count} operations failed: {string.Join("\n", workload.Failures.Take(20))}");
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes lost: {string.Join("\n", lost.Take(20))}");
            Assert.False(verdict.TimedOut, $"the linearizability check ran out of time: {verdict}");
            Assert.True(verdict.IsLinearizable, verdict.Explanation);
            Assert.All(silos, s => Assert.False(s.HasExited, $"a silo exited: {s.StandardError}"));
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var import in imports)
            {
                await import.DisposeAsync();
            }
        }
    }

    private void Log(string line) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:F1} s] {line}"));

    private static string? Status(JsonElement health) => health.GetProperty("status").GetString();

    private static JsonElement[] Nodes(JsonElement health) =>
        [.. health.GetProperty("memoryNodes").EnumerateArray()];

    private static string? Connection(JsonElement node) => node.GetProperty("connection").GetString();

    private static string? Incarnation(JsonElement node) =>
        node.TryGetProperty("incarnation", out var incarnation) ? incarnation.GetString() : null;

    /// <summary>
    /// Polls both silos' /health until each satisfies <paramref name="condition"/> (each keeps
    /// its first satisfying report); fails after <see cref="HealthDeadline"/> with their last.
    /// </summary>
    private async Task<JsonElement[]> WaitForHealthAsync(
        SiloProcess[] silos, string what, Func<JsonElement, bool> condition, TimeSpan[]? firstSeen = null, TimeSpan? deadline = null)
    {
        var patience = deadline ?? HealthDeadline;
        var start = _clock.Elapsed;
        var reports = new JsonElement?[silos.Length];
        var last = new string[silos.Length];
        while (true)
        {
            for (var s = 0; s < silos.Length; s++)
            {
                if (reports[s] is not null)
                {
                    continue;
                }

                Assert.False(silos[s].HasExited, $"silo {s} exited: {silos[s].StandardError}");
                try
                {
                    var health = await silos[s].HealthAsync();
                    last[s] = health.ToString();
                    if (condition(health))
                    {
                        reports[s] = health;
                        if (firstSeen is not null)
                        {
                            firstSeen[s] = _clock.Elapsed - start;
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                {
                    last[s] = ex.Message;
                }
            }

            if (reports.All(r => r is not null))
            {
                return [.. reports.Select(r => r!.Value)];
            }

            if (_clock.Elapsed - start > patience)
            {
                throw new TimeoutException($"{what}: not seen by every silo within {patience.TotalSeconds} s; " +
                    $"their last /health:\n{string.Join("\n", last)}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitForOpsAsync(Workload workload, long count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (workload.Completed < count || workload.CliAcknowledged.Count < 10)
        {
            Assert.True(workload.Failures.IsEmpty, $"operations failed: {string.Join("\n", workload.Failures)}");
            Assert.True(DateTime.UtcNow < deadline, $"only {workload.Summary()} within a minute");
            await Task.Delay(50);
        }
    }

    /// <summary>Asks every silo to deactivate its idle activations; returns how many kv ones went.</summary>
    private static async Task<int> CollectActivationsAsync(GridClient client)
    {
        var management = client.ClusterClient.GetGrain<IManagementGrain>(0);
        var before = await KvActivationsAsync(management);
        await management.ForceActivationCollection(TimeSpan.Zero);
        return Math.Max(0, before - await KvActivationsAsync(management));
    }

    /// <summary>Deactivates every kv grain (the writers have stopped); returns how many are left.</summary>
    private static async Task<int> DeactivateAllAsync(GridClient client)
    {
        var management = client.ClusterClient.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int left;
        do
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            left = await KvActivationsAsync(management);
            if (left > 0)
            {
                await Task.Delay(200);
            }
        }
        while (left > 0 && DateTime.UtcNow < deadline);

        Assert.True(left == 0, $"{left} kv activations did not deactivate");
        return left;
    }

    private static async Task<int> KvActivationsAsync(IManagementGrain management) =>
        (await management.GetDetailedGrainStatistics(null, null)).Count(a => a.GrainId.Type.ToString() == "kv");

    // A loaded machine (2 cores, 7 processes) can take longer than the default 10 s.
    private static GridClientOptions Patient(GridClientOptions options)
    {
        options.ConnectTimeout = TimeSpan.FromSeconds(60);
        return options;
    }

    private static async Task WaitForActiveSilosAsync(GridClient client, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await client.Status.SilosAsync(onlyActive: true)).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} silos did not become active");
            await Task.Delay(250);
        }
    }

    private sealed record StepReport(
        string Step, TimeSpan DownSeen, TimeSpan NodeListening, TimeSpan Healthy, TimeSpan SiloA, TimeSpan SiloB,
        long Ops, int Collected, int Failed)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Step}: down seen by both silos {DownSeen.TotalSeconds:F2} s after the kill; restarted node listening in " +
            $"{NodeListening.TotalSeconds:F2} s; both silos healthy {Healthy.TotalSeconds:F2} s after the restart " +
            $"(A {SiloA.TotalSeconds:F2} s, B {SiloB.TotalSeconds:F2} s); {Ops} ops, {Collected} activations collected, " +
            $"{Failed} failed");

        public string Row() => string.Create(CultureInfo.InvariantCulture,
            $"{Step} | {DownSeen.TotalSeconds:F2} | {NodeListening.TotalSeconds:F2} | {Healthy.TotalSeconds:F2} | " +
            $"{SiloA.TotalSeconds:F2} / {SiloB.TotalSeconds:F2} | {Ops} | {Collected} | {Failed}");
    }

    /// <summary>The writers and readers, and the history they record.</summary>
    private sealed class Workload(string run)
    {
        private long _writes;
        private long _reads;
        private long _cliWrites;
        private long _cliAckMaxTicks;
        private long _libraryMaxTicks;
        private readonly List<string> _cliKeys = [];
        private volatile string _step = "warm-up";

        public HistoryRecorder Recorder { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        /// <summary>Keys the imports wrote, with their last acknowledged value.</summary>
        public ConcurrentDictionary<string, string> CliAcknowledged { get; } = new();

        public string Step
        {
            get => _step;
            set => _step = value;
        }

        public long Completed => Interlocked.Read(ref _writes) + Interlocked.Read(ref _reads) + Interlocked.Read(ref _cliWrites);

        public string SharedKey(int i) => string.Create(CultureInfo.InvariantCulture, $"{run}:shared:{i:D2}");

        public int FailuresIn(string step) => Failures.Count(f => f.StartsWith($"[{step}]", StringComparison.Ordinal));

        public string Summary() => string.Create(CultureInfo.InvariantCulture,
            $"{Completed} ops ({Interlocked.Read(ref _writes)} library puts, {Interlocked.Read(ref _reads)} library gets, " +
            $"{Interlocked.Read(ref _cliWrites)} CLI import puts; slowest library op " +
            $"{TimeSpan.FromTicks(Interlocked.Read(ref _libraryMaxTicks)).TotalMilliseconds:F0} ms, slowest import ack " +
            $"{TimeSpan.FromTicks(Interlocked.Read(ref _cliAckMaxTicks)).TotalMilliseconds:F0} ms after its first), " +
            $"{Failures.Count} failed");

        /// <summary>
        /// Puts (45%) and gets (40%) on the shared keys, gets of keys an import wrote (15%),
        /// one at a time, each recorded; a failure is recorded and counted, never retried.
        /// </summary>
        public async Task LibraryWorkerAsync(GridClient client, int id, int gateway, CancellationToken stop)
        {
            var random = new Random(id + 1);
            var sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                var dice = random.Next(100);
                string? key = null;
                if (dice >= 85)
                {
                    lock (_cliKeys)
                    {
                        key = _cliKeys.Count > 0 ? _cliKeys[random.Next(_cliKeys.Count)] : null;
                    }
                }

                key ??= SharedKey(random.Next(SharedKeys));

                if (dice < 45)
                {
                    var value = string.Create(CultureInfo.InvariantCulture, $"c{id}-{++sequence}");
                    var op = Recorder.BeginWrite(id, key, value);
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.Kv.PutAsync(key, value);
                        Recorder.Complete(op);
                        Interlocked.Increment(ref _writes);
                        Max(ref _libraryMaxTicks, Stopwatch.GetElapsedTime(started).Ticks);
                    }
                    catch (Exception ex)
                    {
                        Recorder.Abandon(op);
                        Fail($"gateway {gateway} client {id} put {key}={value}", ex);
                    }
                }
                else
                {
                    var op = Recorder.BeginRead(id, key);
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        var entry = await client.Kv.GetAsync(key);
                        Recorder.CompleteRead(op, entry.Exists ? Encoding.UTF8.GetString(entry.Value!) : null);
                        Interlocked.Increment(ref _reads);
                        Max(ref _libraryMaxTicks, Stopwatch.GetElapsedTime(started).Ticks);
                    }
                    catch (Exception ex)
                    {
                        Recorder.Abandon(op);
                        Fail($"gateway {gateway} client {id} get {key}", ex);
                    }
                }
            }
        }

        /// <summary>
        /// Feeds one <c>grid kv import</c> process one line at a time (a new value, cycling over
        /// <see cref="CliKeysPerGateway"/> keys of its own) and waits for its <c>ok KEY VERSION</c>:
        /// the write is called when the line is sent and returns when the acknowledgement is read.
        /// </summary>
        public async Task CliImportAsync(ChildProcess import, int gateway, CancellationToken stop)
        {
            var client = 100 + gateway;
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"{run}:cli{gateway}:{n % CliKeysPerGateway:D3}");
                var value = string.Create(CultureInfo.InvariantCulture, $"cli{gateway}-{n}-{run}");
                var op = Recorder.BeginWrite(client, key, value);
                var sent = Stopwatch.GetTimestamp();
                await import.Input.WriteLineAsync($"{key}\t{value}");
                await import.Input.FlushAsync(CancellationToken.None);
                using var deadline = new CancellationTokenSource(CliAckDeadline);
                try
                {
                    while (true)
                    {
                        var line = await import.Lines.ReadAsync(deadline.Token);
                        if (line.StartsWith($"ok {key} ", StringComparison.Ordinal))
                        {
                            break;
                        }
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
                {
                    Recorder.Abandon(op);
                    Fail($"gateway {gateway} grid kv import {key}={value}",
                        new TimeoutException($"no acknowledgement within {CliAckDeadline.TotalSeconds} s " +
                            $"(import {(import.HasExited ? "exited" : "running")}): {import.StandardError}", ex));
                    return;
                }

                Recorder.Complete(op);
                if (CliAcknowledged.TryAdd(key, value))
                {
                    lock (_cliKeys)
                    {
                        _cliKeys.Add(key);
                    }
                }
                else
                {
                    CliAcknowledged[key] = value;
                }

                Interlocked.Increment(ref _cliWrites);
                if (n > 0)
                {
                    // The first line waits for the import's connection.
                    Max(ref _cliAckMaxTicks, Stopwatch.GetElapsedTime(sent).Ticks);
                }
            }
        }

        /// <summary>
        /// Reads every key through each client (recorded), and returns the acknowledged writes
        /// the reads do not show: a key read absent, a value no write wrote, or the value of a
        /// write that an acknowledged write followed (called after it returned).
        /// </summary>
        public async Task<(List<string> Lost, int Keys)> ReadBackAsync(GridClient[] clients)
        {
            var history = Recorder.Operations;
            var writes = history.Where(o => o.Kind == OperationKind.Write).GroupBy(o => o.Key)
                .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var lost = new List<string>();
            for (var c = 0; c < clients.Length; c++)
            {
                foreach (var (key, keyWrites) in writes)
                {
                    var op = Recorder.BeginRead(200 + c, key);
                    var entry = await clients[c].Kv.GetAsync(key);
                    var value = entry.Exists ? Encoding.UTF8.GetString(entry.Value!) : null;
                    Recorder.CompleteRead(op, value);
                    var acknowledged = keyWrites.Where(w => !w.IsPending).ToList();
                    var source = keyWrites.FirstOrDefault(w => w.Value == value);
                    if (value is null)
                    {
                        if (acknowledged.Count > 0)
                        {
                            lost.Add($"gateway {c}: {key} read absent after {acknowledged.Count} acknowledged writes");
                        }
                    }
                    else if (source is null)
                    {
                        lost.Add($"gateway {c}: {key} read {value}, which no write wrote");
                    }
                    else if (acknowledged.FirstOrDefault(w => w.Call > source.Return) is { } overwritten)
                    {
                        lost.Add($"gateway {c}: {key} read {source}, but {overwritten} was acknowledged after it");
                    }
                }
            }

            return (lost, writes.Count);
        }

        /// <summary>Keys and values for <c>grid kv get</c> through gateway <paramref name="gateway"/>:
        /// the first and the last key of the other gateway's import, with the value it wrote last.</summary>
        public IEnumerable<(string Key, string Value)> CliSamples(int gateway)
        {
            var other = string.Create(CultureInfo.InvariantCulture, $"{run}:cli{1 - gateway}:");
            var keys = CliAcknowledged.Keys.Where(k => k.StartsWith(other, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            yield return (keys[0], CliAcknowledged[keys[0]]);
            yield return (keys[^1], CliAcknowledged[keys[^1]]);
        }

        private static void Max(ref long max, long value)
        {
            long seen;
            while (value > (seen = Interlocked.Read(ref max))
                && Interlocked.CompareExchange(ref max, value, seen) != seen)
            {
            }
        }

        private void Fail(string what, Exception ex) =>
            Failures.Enqueue($"[{Step}] {what}: {ex.GetType().Name}: {ex.Message}");
    }
}
