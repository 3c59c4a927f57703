using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Checker;

public class CheckerScaleTests
{
    private const int HotClients = 8;
    private const int HotOperationsPerClient = 40;
    private const int ColdClients = 40;
    private const int ColdOperationsPerClient = 100;
    private const int ColdKeys = 1000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void One_contended_key_and_many_quiet_keys_check_within_the_default_budget(int seed)
    {
        var workload = new RegisterWorkload(
            HotClients + ColdClients,
            client => client < HotClients ? HotOperationsPerClient : ColdOperationsPerClient,
            (client, random) => client < HotClients ? "hot" : $"k{random.Next(ColdKeys)}",
            CrashPercent: 0);
        var history = RegisterSimulation.Run(seed, workload);

        var result = LinearizabilityChecker.Check(history);

        Assert.False(result.TimedOut, result.Explanation);
        Assert.True(result.IsLinearizable, result.Explanation);
        // The workload is what the test claims: 320 operations on one key, and about four on
        // each of nearly all the quiet keys.
        Assert.Equal(
            HotClients * HotOperationsPerClient,
            history.Count(op => op.Key == "hot"));
        Assert.True(history.Select(op => op.Key).Distinct().Count() > 900);
    }

    [Fact]
    public void A_broken_read_on_the_contended_key_is_found_at_scale()
    {
        var workload = new RegisterWorkload(
            HotClients,
            _ => HotOperationsPerClient,
            (_, _) => "hot",
            CrashPercent: 0);
        var history = RegisterSimulation.Run(7, workload);
        Assert.True(ReadMutation.TryMutate(history, new Random(7), out var broken, out _));

        var result = LinearizabilityChecker.Check(broken);

        Assert.False(result.TimedOut, result.Explanation);
        Assert.False(result.IsLinearizable, result.Explanation);
        Assert.Equal("hot", result.FailingKey);
    }
}
