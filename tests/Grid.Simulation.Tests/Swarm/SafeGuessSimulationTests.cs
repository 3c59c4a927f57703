using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// Safe-Guess under thousands of seeded schedules: linearizable and wait-free with up to f
/// memory-node crashes, writer crashes, torn writes and stale guesses; and the same harness
/// catches a planted bug. Set GRID_SEED to replay one seed, GRID_SEEDS to run more.
/// </summary>
public sealed class SafeGuessSimulationTests
{
    [Fact]
    public void Thousands_of_seeded_schedules_are_linearizable()
    {
        var seeds = SimulationSeeds.Get(defaultCount: 6000);
        var operations = 0;
        var counters = new List<SwarmClientCounters>();
        foreach (var seed in seeds)
        {
            var outcome = SwarmSimulation.Run(seed);
            Assert.True(outcome.Passed, outcome.ToString());
            operations += outcome.Operations;
            counters.AddRange(outcome.Counters);
        }

        var paths = $"{seeds.Count} seeds, {operations} ops: writes fresh {counters.Sum(c => c.FreshWrites)}, " +
            $"kept {counters.Sum(c => c.KeptWrites)}, retried {counters.Sum(c => c.RetriedWrites)}; " +
            $"pins {counters.Sum(c => c.Pins)} (withdrawn {counters.Sum(c => c.WithdrawnPins)}), " +
            $"substitutions {counters.Sum(c => c.Substitutions)}, write-backs {counters.Sum(c => c.WriteBacks)}, " +
            $"read restarts {counters.Sum(c => c.ReadRestarts)}";
        TestContext.Current.SendDiagnosticMessage(paths);
        Console.WriteLine(paths);
        Assert.True(operations > seeds.Count, "the runs recorded almost no operations");
        if (seeds.Count >= 6000)
        {
            // Every branch of spec §2.4 must have run, or the seeds do not test it.
            Assert.True(counters.Sum(c => c.KeptWrites) > 0, paths);
            Assert.True(counters.Sum(c => c.RetriedWrites) > 0, paths);
            Assert.True(counters.Sum(c => c.WithdrawnPins) > 0, paths);
            Assert.True(counters.Sum(c => c.Substitutions) > 0, paths);
        }
    }

    [Theory]
    [InlineData(nameof(SwarmProtocolMutation.StaleGuessTreatedAsFresh))]
    [InlineData(nameof(SwarmProtocolMutation.ReaderSkipsPin))]
    public void A_planted_bug_is_caught(string rule)
    {
        var mutation = Enum.Parse<SwarmProtocolMutation>(rule);
        foreach (var seed in Enumerable.Range(0, 3000))
        {
            if (!SwarmSimulation.Run(seed, mutation).Passed)
            {
                return;
            }
        }

        Assert.Fail($"no seed out of 3000 exposed {mutation}");
    }
}
