using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Swarm;
using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// One seeded run of Safe-Guess clients over the in-process fabric under the deterministic
/// scheduler (STYLE.md, lesson 4). The seed draws everything: the number of clients, objects and
/// ops, each client's clock skew (stale guesses), forced tearing, whether and when a memory node
/// crashes (at most f = 1 of 3) and whether a writer crashes mid-operation; then every
/// interleaving choice. The history goes to the linearizability checker.
/// </summary>
internal static class SwarmSimulation
{
    private const long StepBudget = 2_000_000;

    public static SimulationOutcome Run(int seed, SwarmProtocolMutation mutation = SwarmProtocolMutation.None)
    {
        var scheduler = new DeterministicScheduler(seed);
        var random = scheduler.Random;
        var memoryNodeCount = random.Next(2) == 0 ? 5 : 3;
        scheduler.SlowLaneProbability = random.Next(3) == 0 ? 0 : 0.4;
        var clients = random.Next(2, 5);
        var objects = random.Next(3) == 0 ? 3 : 1;
        var opsPerClient = random.Next(4, 14);
        var torn = random.Next(3) switch { 0 => 0, 1 => 8, _ => 24 };
        var crashMemoryNodeAt = random.Next(2) == 0 ? random.Next(10, 600) : -1;
        var crashClientAt = random.Next(3) == 0 ? random.Next(10, 600) : -1;
        var settings = $"memoryNodes={memoryNodeCount} slowLanes={scheduler.SlowLaneProbability} " +
            $"clients={clients} objects={objects} ops={opsPerClient} torn={torn} " +
            $"crashMemoryNodeAt={crashMemoryNodeAt} crashClientAt={crashClientAt}";

        // Two buckets for up to three keys: keys share buckets, so a snapshot must tell their
        // entries and in-place records apart.
        var options = new SwarmOptions
        {
            MaxWriters = 4,
            BucketCount = 2,
            EntriesPerWriter = 4,
            InPlaceValueBytes = 16,
            MaxValueBytes = 64,
            ArenaBytesPerWriter = 64 * 1024,
        };
        var layout = new SwarmLayout(options);
        var time = new ManualTimeProvider();
        using var fabric = new InProcFabric(
            new InProcFabricOptions { Scheduler = scheduler, TornWriteChunkBytes = torn, TimeProvider = time });
        var memoryNodes = Enumerable.Range(0, memoryNodeCount).Select(m => new NodeId(1000 + (uint)m)).ToArray();
        foreach (var node in memoryNodes)
        {
            fabric.AddEndpoint(node).RegisterRegion(layout.RegionBytes);
        }

        var swarm = new SafeGuessClient[clients];
        for (var c = 0; c < clients; c++)
        {
            var pairs = memoryNodes.Select(m => fabric.Connect(new NodeId((uint)c + 1), m)).ToArray();
            var skew = random.Next(0, 120);
            var start = SafeGuessClient.StartAsync(
                c + 1, pairs, layout, new SimulatedSwarmClock(() => scheduler.Steps, skew), time);
            Drive(scheduler, start);
            swarm[c] = start.Result;
            swarm[c].Mutation = mutation;
        }

        var recorder = new HistoryRecorder();
        var remaining = Enumerable.Repeat(opsPerClient, clients).ToArray();
        var running = new Task?[clients];
        var crashedClient = -1;
        var crashedNode = -1;
        var errors = new List<string>();
        var written = 0;
        while (true)
        {
            if (scheduler.Steps > StepBudget)
            {
                return SimulationOutcome.Fail(seed, settings, $"no progress after {StepBudget} steps (liveness)");
            }

            if (crashedNode < 0 && crashMemoryNodeAt >= 0 && scheduler.Steps >= crashMemoryNodeAt)
            {
                crashedNode = random.Next(memoryNodeCount);
                fabric.Faults.Crash(memoryNodes[crashedNode]);
            }

            if (crashedClient < 0 && crashClientAt >= 0 && scheduler.Steps >= crashClientAt)
            {
                crashedClient = random.Next(clients);
                fabric.Faults.Crash(new NodeId((uint)crashedClient + 1));
            }

            var idle = Enumerable.Range(0, clients)
                .Where(c => running[c] is null && remaining[c] > 0 && c != crashedClient).ToList();
            var pending = scheduler.HasPending;
            if (idle.Count > 0 && (!pending || random.Next(4) == 0))
            {
                var c = idle[random.Next(idle.Count)];
                remaining[c]--;
                running[c] = StartOperation(swarm[c], c, random, objects, recorder, ref written, errors, crashedClient);
                continue;
            }

            if (!pending)
            {
                break;
            }

            scheduler.RunOne();
            for (var c = 0; c < clients; c++)
            {
                if (running[c] is { IsCompleted: true })
                {
                    running[c] = null;
                }
            }
        }

        for (var c = 0; c < clients; c++)
        {
            if (running[c] is { IsCompleted: false } && c != crashedClient)
            {
                errors.Add($"client {c + 1}'s operation never completed (wait-freedom)");
            }
        }

        var unexpected = errors.Where(e => !e.StartsWith($"client {crashedClient + 1}:", StringComparison.Ordinal)).ToList();
        if (unexpected.Count > 0)
        {
            return SimulationOutcome.Fail(seed, settings, string.Join("\n", unexpected));
        }

        var check = LinearizabilityChecker.Check(recorder.Operations);
        return check.IsLinearizable
            ? SimulationOutcome.Pass(seed, settings, recorder.Operations.Count, swarm.Select(c => c.Counters).ToList())
            : SimulationOutcome.Fail(seed, settings, check.Explanation);
    }

    private static Task StartOperation(
        SafeGuessClient client,
        int index,
        Random random,
        int objects,
        HistoryRecorder recorder,
        ref int written,
        List<string> errors,
        int crashedClient)
    {
        var objectId = random.Next(objects);
        var key = $"o{objectId}";
        if (random.Next(2) == 0)
        {
            // Some values overflow the 16-byte in-place copy, so reads follow the buffer.
            var value = $"c{index + 1}-{++written}" + (random.Next(3) == 0 ? new string('x', 30) : "");
            var id = recorder.BeginWrite(index, key, value);
            return Observe(client.WriteAsync(KeyOf(objectId), Encoding.UTF8.GetBytes(value)), () => recorder.Complete(id),
                () => recorder.Abandon(id), index, errors);
        }

        var readId = recorder.BeginRead(index, key);
        var read = client.ReadAsync(KeyOf(objectId));
        return Observe(read, () =>
        {
            var bytes = read.Result.Value;
            recorder.CompleteRead(readId, bytes is null ? null : Encoding.UTF8.GetString(bytes));
        }, () => recorder.Abandon(readId), index, errors);
    }

    /// <summary>Key hashes spread over buckets, in-place records and primaries.</summary>
    private static ulong KeyOf(int objectId) => 0x9E3779B97F4A7C15UL * (ulong)(objectId + 1);

    /// <summary>Records the end of an op at the step it completes (continuations run inline).</summary>
    private static Task Observe(Task operation, Action completed, Action abandoned, int index, List<string> errors) =>
        operation.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    completed();
                }
                else
                {
                    abandoned();
                    errors.Add($"client {index + 1}: {t.Exception?.InnerException?.GetType().Name}: " +
                        $"{t.Exception?.InnerException?.Message}");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static void Drive(DeterministicScheduler scheduler, Task task)
    {
        while (!task.IsCompleted)
        {
            if (!scheduler.RunOne())
            {
                throw new InvalidOperationException($"GRID_SEED={scheduler.Seed}: start-up stalled");
            }
        }

        task.GetAwaiter().GetResult();
    }
}
