using FsCheck;
using FsCheck.Fluent;
using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Checker;

public class CheckerPropertyTests
{
    private const int Runs = 200;

    /// <summary>
    /// One simulated run; FsCheck shrinks the sizes and prints the record, and the seed replays
    /// the exact schedule.
    /// </summary>
    public sealed record Scenario(int Clients, int OperationsPerClient, int Keys, int CrashPercent,
        int Seed);

    [Fact]
    public void Executions_of_a_sequential_register_are_linearizable()
    {
        var property = Prop.ForAll(Scenarios(minClients: 1, minOperations: 1), scenario =>
        {
            var history = RegisterSimulation.Run(scenario.Seed, Workload(scenario));

            var result = LinearizabilityChecker.Check(history);

            Assert.False(result.TimedOut, result.Explanation);
            Assert.True(result.IsLinearizable, result.Explanation);
        });

        Check.One(Settings(), property);
    }

    [Fact]
    public void A_read_returning_an_impossible_value_is_caught()
    {
        var property = Prop.ForAll(Scenarios(minClients: 2, minOperations: 4), scenario =>
        {
            // Some small runs offer no impossible value (no write was overwritten before a read,
            // none started after one); the next seeds do, and stay reproducible.
            for (var seed = scenario.Seed; seed < scenario.Seed + 1000; seed++)
            {
                var history = RegisterSimulation.Run(seed, Workload(scenario));
                if (!ReadMutation.TryMutate(history, new Random(seed), out var broken, out var key))
                    continue;

                var result = LinearizabilityChecker.Check(broken);

                Assert.False(result.TimedOut, result.Explanation);
                Assert.False(result.IsLinearizable, $"seed {seed}: {result.Explanation}");
                Assert.Equal(key, result.FailingKey);
                return;
            }
            Assert.Fail($"No seed from {scenario.Seed} allowed a mutation.");
        });

        Check.One(Settings(), property);
    }

    private static Config Settings() =>
        Config.QuickThrowOnFailure.WithMaxTest(Runs).WithQuietOnSuccess(true);

    private static Arbitrary<Scenario> Scenarios(int minClients, int minOperations)
    {
        var scenarios =
            from clients in Gen.Choose(minClients, 8)
            from operations in Gen.Choose(minOperations, 30)
            from keys in Gen.Choose(1, 3)
            from crash in Gen.Choose(0, 4)
            from seed in Gen.Choose(0, int.MaxValue - 1000)
            select new Scenario(clients, operations, keys, crash, seed);
        return Arb.From(scenarios);
    }

    private static RegisterWorkload Workload(Scenario scenario) =>
        new(
            scenario.Clients,
            _ => scenario.OperationsPerClient,
            (_, random) => $"k{random.Next(scenario.Keys)}",
            scenario.CrashPercent);
}
