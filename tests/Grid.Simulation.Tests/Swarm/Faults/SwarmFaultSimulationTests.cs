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
        // None today. The open bug in the Swarm README ("a node the new holder could not read
        // during recovery") failed seed 1983 before the timestamp ring changed the runs; it is
        // covered by a skipped regression test (RecoveryLeftoverTests) instead. List a seed here
        // with its reason, and add back a skipped theory over them, when a bug has no fix yet.
    };

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
            // A path no seed reaches is a path this test does not test. (Settling a failed write
            // needs a client that fails an op and goes on: without reconnection none does here;
            // Regressions/FailedWriteTests covers it.)
            Assert.True(coverage.MemoryNodeCrashes > 0, summary);
            Assert.True(coverage.MemoryNodeRestarts > 0, summary);
            Assert.True(coverage.WriterRestarts > 0, summary);
            Assert.True(coverage.Takeovers > 0, summary);
            Assert.True(coverage.ClosedConnections > 0, summary);
            Assert.True(coverage.SweptEntries > 0, summary);
            Assert.True(coverage.ReadRestarts > 0, summary);
            Assert.True(coverage.KeptWrites > 0, summary);
            Assert.True(coverage.RetriedWrites > 0, summary);

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
