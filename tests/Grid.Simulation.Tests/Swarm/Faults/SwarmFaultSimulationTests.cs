using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// SWARM over the whole fault space (<see cref="SwarmFaultSimulation"/>), 10,000 seeds per run.
/// A failure prints its seed and the command that replays it; GRID_SEED replays one seed,
/// GRID_SEEDS sets how many run.
/// </summary>
public sealed class SwarmFaultSimulationTests
{
    /// <summary>
    /// Seeds that expose bugs not fixed yet, each listed in the issue 13 note. The sweep runs
    /// every other seed; these stay visible as skipped tests until their fix lands, and then
    /// join the sweep again (remove them here).
    /// </summary>
    private static readonly Dictionary<int, string> KnownFailing = new()
    {
        // Reconnecting clients, a client replaced under its lease once the node its recovery
        // missed is back, after a long pause: a read of one key returns a value the same writer
        // wrote to another key (Regressions/WriteBackIntoStaleEntryTests; see the Swarm README,
        // "Open bugs", "A replaced client reads another key's value").
        [4855] = "open bug: a key reads another key's value after a missed-node restart (writer 2)",
        [5370] = "open bug: a key reads another key's value after missed-node restarts (writers 2 and 3)",
    };

    public static TheoryData<int> KnownFailingSeeds => new(KnownFailing.Keys);

    /// <summary>Replays a known-failing seed; skipped until its bug is fixed (GRID_SEED=n runs it in the sweep).</summary>
    [Theory(Skip = "open bugs listed in KnownFailing")]
    [MemberData(nameof(KnownFailingSeeds))]
    public void Known_failing_seed(int seed) => Assert.True(SwarmFaultSimulation.Run(seed).Passed, KnownFailing[seed]);

    [Fact]
    public void Ten_thousand_seeds_with_time_deletes_restarts_takeovers_and_node_faults_stay_linearizable()
    {
        var seeds = SimulationSeeds.Get(defaultCount: 10_000 + KnownFailing.Count).Where(s => !KnownFailing.ContainsKey(s) || Environment.GetEnvironmentVariable("GRID_SEED") is not null).ToList();
        var coverage = new SimulationCoverage();
        var operations = 0;
        var failures = new List<SimulationOutcome>();
        foreach (var seed in seeds)
        {
            var outcome = SwarmFaultSimulation.Run(seed);
            if (!outcome.Passed)
            {
                failures.Add(outcome);
                continue;
            }

            operations += outcome.Operations;
            coverage.Add(outcome.Coverage!);
        }

        // Every failing seed, not just the first: each prints how to replay it.
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {seeds.Count} seeds failed (seeds {string.Join(", ", failures.Select(f => f.Seed))}):\n" +
            string.Join("\n\n", failures.Take(5)));

        var summary = $"{seeds.Count} seeds, {operations} ops: {coverage}";
        TestContext.Current.SendDiagnosticMessage(summary);
        Console.WriteLine(summary);
        if (seeds.Count >= 10_000)
        {
            // A path no seed reaches is a path this test does not test.
            Assert.True(coverage.MemoryNodeCrashes > 0, summary);
            Assert.True(coverage.MemoryNodeRestarts > 0, summary);
            Assert.True(coverage.WriterRestarts > 0, summary);
            Assert.True(coverage.Takeovers > 0, summary);
            Assert.True(coverage.ClosedConnections > 0, summary);
            Assert.True(coverage.SweptEntries > 0, summary);
            Assert.True(coverage.ReadRestarts > 0, summary);
            Assert.True(coverage.KeptWrites > 0, summary);
            Assert.True(coverage.RetriedWrites > 0, summary);

            // Reconnects (README of Swarm/, "Reconnects"): clients of two seeds in three redial,
            // connections closed by an expired batch or a node's restart with its memory are
            // re-admitted, and the clients use those nodes again. A client that fails an op on a
            // lost connection goes on, so failed writes are settled (kept and withdrawn) by the
            // key's next write.
            Assert.True(coverage.ReconnectingRuns > 0, summary);
            Assert.True(coverage.ConnectionsLostToExpiry > 0, summary);
            Assert.True(coverage.ConnectionsLostToRestart > 0, summary);
            Assert.True(coverage.Readmissions > 0, summary);
            Assert.True(coverage.UsedAfterReadmission > 0, summary);
            Assert.True(coverage.MissedNodes > 0, summary);
            Assert.True(coverage.RestartsForMissedNodes > 0, summary);
            Assert.True(coverage.SettledKept > 0, summary);
            Assert.True(coverage.SettledWithdrawn > 0, summary);

            // Timestamps (README of Swarm/, "Timestamps that never run out"): the ring of
            // 2^24 µs wraps many times over the sweep, old values are rewritten, old words
            // cleared, and clusters left unrefreshed rebase.
            var ring = SwarmFaultSimulation.Layout.TimestampHalfRing * 2;
            Assert.True(coverage.VirtualMilliseconds > 1_000 * ring.TotalMilliseconds, summary);
            Assert.True(coverage.RefreshedKeys > 0, summary);
            Assert.True(coverage.ClearedWords > 0, summary);
            Assert.True(coverage.Rebases > 0, summary);
            Assert.True(coverage.LateRecoveredWords > 0, summary);
        }
    }
}
