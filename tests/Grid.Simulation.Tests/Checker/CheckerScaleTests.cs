using Grid.Testing.Linearizability;
using static Grid.Simulation.Tests.Checker.HistoryOps;

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

    [Fact]
    public void Many_pending_writes_that_no_read_returned_check_within_the_budget()
    {
        // GRID_SEED=5625 of the SWARM fault simulation: every writer lost a majority of its
        // connections after three writes, so its 22 later writes never returned; the final read
        // returns the third write. Linearizable (1, 2, 3, read; the pending writes never took
        // effect), but the search tried the pending writes' subsets first and ran out of budget.
        HistoryOperation[] history =
        [
            Write(2, "k0", "w3p2-1", 1, 4),
            Write(0, "k0", "w1p0-2", 2, 6),
            Write(1, "k0", "w2p1-3xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 3, 8),
            Write(1, "k0", "w2p1-4", 9, Pending),
            Write(1, "k0", "w2p1-5", 10, Pending),
            Write(1, "k0", "w2p1-6", 11, Pending),
            Write(1, "k0", "w2p1-7", 12, Pending),
            Write(2, "k0", "w3p2-8", 13, Pending),
            Write(2, "k0", "w3p2-9xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 15, Pending),
            Write(0, "k0", "w1p0-10", 16, Pending),
            Write(1, "k0", "w2p1-11xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 18, Pending),
            Write(1, "k0", "w2p1-12", 20, Pending),
            Write(1, "k0", "w2p1-13", 21, Pending),
            Write(1, "k0", "w2p1-14xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 22, Pending),
            Write(0, "k0", "w1p0-15", 23, Pending),
            Write(1, "k0", "w2p1-16xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 24, Pending),
            Write(2, "k0", "w3p2-17", 26, Pending),
            Write(2, "k0", "w3p2-18xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 29, Pending),
            Write(0, "k0", "w1p0-19", 31, Pending),
            Write(2, "k0", "w3p2-20xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 32, Pending),
            Write(2, "k0", "w3p2-21xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 35, Pending),
            Write(0, "k0", "w1p0-22xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 36, Pending),
            Write(0, "k0", "w1p0-23", 39, Pending),
            Write(2, "k0", "w3p2-24xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 40, Pending),
            Write(0, "k0", "w1p0-25xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 41, Pending),
            Read(3, "k0", "w2p1-3xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 42, 43),
        ];

        var result = LinearizabilityChecker.Check(history);

        Assert.False(result.TimedOut, result.Explanation);
        Assert.True(result.IsLinearizable, result.Explanation);
    }

    [Fact]
    public void A_pending_write_that_a_read_returned_still_counts_among_many_others()
    {
        // Pruning pending writes nobody read must keep the ones a read returned: here the read
        // of v-late needs the pending v-late between the two completed reads of v1.
        var history = new List<HistoryOperation>
        {
            Write(1, "k", "v1", 1, 2),
            Read(2, "k", "v1", 3, 4),
            Write(3, "k", "v-late", 5, Pending),
            Read(2, "k", "v-late", 100, 101),
            Read(4, "k", "v1", 102, 103),
        };
        for (var i = 0; i < 30; i++)
        {
            history.Add(Write(5 + i, "k", $"never-read-{i}", 6 + i, Pending));
        }

        var result = LinearizabilityChecker.Check(history);

        Assert.False(result.TimedOut, result.Explanation);
        Assert.False(result.IsLinearizable, result.Explanation);
    }
}
