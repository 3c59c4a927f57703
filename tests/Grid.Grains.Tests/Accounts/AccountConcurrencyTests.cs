using Grid.Grains.Accounts;
using Grid.Grains.Tests.Cluster;

namespace Grid.Grains.Tests.Accounts;

[Collection(ClusterCollection.Name)]
public sealed class AccountConcurrencyTests(ClusterFixture fixture)
{
    private const int AccountCount = 5;
    private const long InitialBalance = 1_000;
    private const int TaskCount = 8;
    private const int TransfersPerTask = 40;

    /// <summary>
    /// Many tasks move money both ways around a ring at once, so accounts transfer to each other
    /// concurrently (a wait-for cycle if credits could not interleave). Every completed transfer
    /// must move its amount exactly once, no balance may go negative, and the total is conserved.
    /// </summary>
    [Fact]
    public async Task Concurrent_transfers_around_a_ring_conserve_money_and_never_overdraw()
    {
        var accounts = new IAccountGrain[AccountCount];
        for (var i = 0; i < AccountCount; i++)
            accounts[i] = await fixture.OpenAsync($"ring{i}", InitialBalance);
        var seed = Environment.TickCount;
        TestContext.Current.TestOutputHelper?.WriteLine($"GRID_SEED={seed}");

        var perTask = await Task.WhenAll(Enumerable.Range(0, TaskCount)
            .Select(task => RunTransfersAsync(accounts, new Random(seed + task), task)));
        var transfers = perTask.SelectMany(t => t).ToList();

        var expected = new long[AccountCount];
        Array.Fill(expected, InitialBalance);
        foreach (var (from, to, amount, result) in transfers)
        {
            Assert.True(result.BalanceAfter >= 0, $"seed {seed}: {result}");
            if (result.Status == TransferStatus.Completed)
            {
                expected[from] -= amount;
                expected[to] += amount;
            }
            else
            {
                Assert.Equal(TransferStatus.InsufficientFunds, result.Status);
            }
        }
        var views = await Task.WhenAll(accounts.Select(a => a.GetState()));
        Assert.All(views, v => Assert.Equal((0L, 0), (v.InFlight, v.PendingCredits)));
        Assert.Equal(expected, views.Select(v => v.Balance));
        Assert.Equal(AccountCount * InitialBalance, views.Sum(v => v.Balance));
        Assert.All(views, v => Assert.True(v.Balance >= 0));
        Assert.Contains(transfers, t => t.Result.Status == TransferStatus.Completed);
    }

    private static async Task<List<(int From, int To, long Amount, TransferResult Result)>>
        RunTransfersAsync(IAccountGrain[] accounts, Random random, int task)
    {
        var results = new List<(int, int, long, TransferResult)>();
        for (var i = 0; i < TransfersPerTask; i++)
        {
            var from = random.Next(AccountCount);
            var step = random.Next(2) == 0 ? 1 : AccountCount - 1;
            var to = (from + step) % AccountCount;
            var amount = random.Next(1, 400);
            var result = await accounts[from].Transfer($"task{task}-{i}", accounts[to].Id(),
                amount);
            results.Add((from, to, amount, result));
        }
        return results;
    }
}
