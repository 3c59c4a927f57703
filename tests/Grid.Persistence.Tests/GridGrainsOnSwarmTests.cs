using System.Text;
using Grid.Grains.Accounts;
using Grid.Grains.Kv;
using Grid.Grains.Matching;
using Grid.Grains.Orders;

namespace Grid.Persistence.Tests;

/// <summary>
/// Grid's grains on an in-process cluster with SWARM storage over embedded memory nodes: state
/// survives deactivation, the kill of the silo that held the grain (reactivation elsewhere) and
/// a memory-node crash.
/// </summary>
public sealed class GridGrainsOnSwarmTests
{
    private static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Kv_state_survives_deactivation()
    {
        await using var swarm = await SwarmCluster.StartAsync();
        var key = NewKey("kv");
        var grain = swarm.Grains.GetGrain<IKvGrain>(key);
        Assert.Equal(1, await grain.Put("first"u8.ToArray()));
        Assert.Equal(2, await grain.Put("second"u8.ToArray()));

        await swarm.Cluster.DeactivateAsync(grain);

        var entry = await swarm.Grains.GetGrain<IKvGrain>(key).Get();
        Assert.Equal("second", Encoding.UTF8.GetString(entry.Value!));
        Assert.Equal(2, entry.Version);
    }

    [Fact]
    public async Task Kv_states_survive_the_kill_of_a_silo_and_reactivate_on_the_other()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 2);
        var keys = Enumerable.Range(0, 40).Select(i => NewKey($"kill{i}")).ToArray();
        foreach (var key in keys)
        {
            await swarm.Grains.GetGrain<IKvGrain>(key).Put(Encoding.UTF8.GetBytes(key));
        }

        await swarm.Cluster.KillSiloAsync(swarm.Cluster.Silos[1]);
        await swarm.Cluster.WaitForLivenessToStabilizeAsync();

        foreach (var key in keys)
        {
            var entry = await Retry(() => swarm.Grains.GetGrain<IKvGrain>(key).Get());
            Assert.True(entry.Exists, $"{key} lost after the silo kill");
            Assert.Equal(key, Encoding.UTF8.GetString(entry.Value!));
            Assert.Equal(1, entry.Version);
        }
    }

    [Fact]
    public async Task Grains_keep_working_and_keep_their_state_when_a_memory_node_crashes()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1);
        var kv = swarm.Grains.GetGrain<IKvGrain>(NewKey("crash"));
        await kv.Put("before"u8.ToArray());
        var alice = swarm.Grains.GetGrain<IAccountGrain>(NewKey("alice"));
        var bob = swarm.Grains.GetGrain<IAccountGrain>(NewKey("bob"));
        await alice.Open();
        await bob.Open();
        await alice.Deposit("d1", 1_000);

        swarm.MemoryNodes.Crash(2);

        await kv.Put("after"u8.ToArray());
        var transfer = await alice.Transfer("t1", bob.GetPrimaryKeyString(), 300);
        Assert.Equal(TransferStatus.Completed, transfer.Status);
        await swarm.Cluster.DeactivateAsync(kv);
        await swarm.Cluster.DeactivateAsync(alice);
        await swarm.Cluster.DeactivateAsync(bob);

        Assert.Equal("after", Encoding.UTF8.GetString((await kv.Get()).Value!));
        Assert.Equal(700, await alice.GetBalance());
        Assert.Equal(300, await bob.GetBalance());
    }

    [Fact]
    public async Task Concurrent_transfers_conserve_money_on_swarm_storage()
    {
        await using var swarm = await SwarmCluster.StartAsync();
        var accounts = Enumerable.Range(0, 4).Select(i => swarm.Grains.GetGrain<IAccountGrain>(NewKey($"ring{i}"))).ToArray();
        foreach (var account in accounts)
        {
            await account.Open();
            await account.Deposit("seed", 1_000);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, 80), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var from = accounts[i % accounts.Length];
            var to = accounts[(i + 1 + i / accounts.Length % (accounts.Length - 1)) % accounts.Length];
            if (from.GetPrimaryKeyString() != to.GetPrimaryKeyString())
            {
                await Retry(() => from.Transfer($"t{i}", to.GetPrimaryKeyString(), 10 + i % 7));
            }
        });

        foreach (var account in accounts)
        {
            await swarm.Cluster.DeactivateAsync(account);
        }

        long total = 0;
        foreach (var account in accounts)
        {
            var view = await account.GetState();
            Assert.True(view.Balance >= 0);
            total += view.Balance + view.InFlight;
        }

        Assert.Equal(4_000, total);
    }

    [Fact]
    public async Task An_order_book_survives_deactivation()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1);
        var book = swarm.Grains.GetGrain<IOrderBookGrain>(NewKey("ACME"));
        await book.Submit(OrderRequest.Limit(Side.Sell, 101, 10));
        await book.Submit(OrderRequest.Limit(Side.Sell, 100, 5));
        var buy = await book.Submit(OrderRequest.Limit(Side.Buy, 101, 7));
        Assert.Equal(7, buy.FilledQuantity);

        await swarm.Cluster.DeactivateAsync(book);

        var depth = await book.GetBook(5);
        var ask = Assert.Single(depth.Asks);
        Assert.Equal(101, ask.Price);
        Assert.Equal(8, ask.Quantity);
        Assert.Equal(2, (await book.GetTrades(10)).Count);
    }

    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < 10 && ex is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(500);
            }
        }
    }
}
