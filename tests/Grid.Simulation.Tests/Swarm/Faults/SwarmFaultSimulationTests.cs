using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// SWARM over the whole fault space (<see cref="SwarmFaultSimulation"/>), 10,000 seeds per run.
/// A failure prints its seed and the command that replays it; GRID_SEED replays one seed,
/// GRID_SEEDS sets how many run.
/// </summary>
public sealed class SwarmFaultSimulationTests
{
    [Fact]
    public void Ten_thousand_seeds_with_time_deletes_restarts_takeovers_and_node_faults_stay_linearizable()
    {
        var seeds = Seeds(defaultCount: 10_000);
        var coverage = new SimulationCoverage();
        var operations = 0;
        foreach (var seed in seeds)
        {
            var outcome = SwarmFaultSimulation.Run(seed);
            Assert.True(outcome.Passed, outcome.ToString());
            operations += outcome.Operations;
            coverage.Add(outcome.Coverage!);
        }

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
            Assert.True(coverage.SettledKept + coverage.SettledWithdrawn > 0, summary);
            Assert.True(coverage.KeptWrites > 0, summary);
            Assert.True(coverage.RetriedWrites > 0, summary);
        }
    }

    private static IReadOnlyList<int> Seeds(int defaultCount)
    {
        var one = Environment.GetEnvironmentVariable("GRID_SEED");
        if (int.TryParse(one, out var seed))
        {
            return [seed];
        }

        var count = int.TryParse(Environment.GetEnvironmentVariable("GRID_SEEDS"), out var n) ? n : defaultCount;
        return Enumerable.Range(0, count).ToList();
    }
}
