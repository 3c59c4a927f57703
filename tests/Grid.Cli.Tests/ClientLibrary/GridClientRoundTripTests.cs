using System.Text;
using Grid.Cli.Tests.Cluster;
using Grid.Client;
using Grid.Client.Accounts;
using Grid.Grains.Accounts;
using Grid.Grains.Kv;
using Grid.Grains.Matching;

namespace Grid.Cli.Tests.ClientLibrary;

/// <summary>The client library's facades against the real grains and SWARM storage.</summary>
[Collection(SiloCollection.Name)]
public sealed class GridClientRoundTripTests(SiloFixture fixture) : IAsyncLifetime
{
    private GridClient _client = null!;

    public async ValueTask InitializeAsync() =>
        _client = await GridClient.ConnectAsync(
            GridClientOptions.ForGateways(fixture.Silo.Gateway, fixture.SecondSilo.Gateway),
            TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Kv_versions_grow_through_puts_and_deletes_and_bytes_round_trip()
    {
        var key = Keys.New("facade-kv");
        byte[] binary = [0, 255, 0xC3, 0x28, 10, 13, 0];

        Assert.Equal(0, await _client.Kv.VersionAsync(key));
        Assert.False((await _client.Kv.GetAsync(key)).Exists);
        Assert.Equal(1, await _client.Kv.PutAsync(key, binary));
        var entry = await _client.Kv.GetAsync(key);
        Assert.Equal(binary, entry.Value);
        Assert.Equal(1, entry.Version);
        Assert.Equal(2, await _client.Kv.PutAsync(key, "text"));
        Assert.True(await _client.Kv.DeleteAsync(key));
        Assert.False(await _client.Kv.DeleteAsync(key));
        var deleted = await _client.Kv.GetAsync(key);
        Assert.False(deleted.Exists);
        Assert.Equal(3, deleted.Version);
        Assert.Equal(4, await _client.Kv.PutAsync(key, []));
        var empty = await _client.Kv.GetAsync(key);
        Assert.True(empty.Exists);
        Assert.Empty(empty.Value!);
    }

    [Fact]
    public async Task Kv_a_value_at_the_limit_round_trips_and_one_byte_more_is_refused()
    {
        var key = Keys.New("facade-limit");
        var value = new byte[KvLimits.MaxValueBytes];
        Random.Shared.NextBytes(value);

        Assert.Equal(1, await _client.Kv.PutAsync(key, value));
        Assert.Equal(value, (await _client.Kv.GetAsync(key)).Value);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => _client.Kv.PutAsync(key, new byte[KvLimits.MaxValueBytes + 1]));
        Assert.Contains("a value holds at most 524,288", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await _client.Kv.VersionAsync(key));
    }

    [Fact]
    public async Task Accounts_deposits_are_idempotent_and_refused_transfers_move_nothing()
    {
        var alice = Keys.New("facade-alice");
        var bob = Keys.New("facade-bob");
        Assert.True((await _client.Accounts.OpenAsync(alice)).IsOpen);
        await _client.Accounts.OpenAsync(bob);

        var deposit = await _client.Accounts.DepositAsync(alice, 500);
        var retry = await _client.Accounts.DepositAsync(alice, 500, deposit.DepositId);
        Assert.Equal(new DepositResult(deposit.DepositId, 500), retry);

        var done = await _client.Accounts.TransferAsync(alice, bob, 200, "t-1");
        Assert.Equal(new TransferResult("t-1", TransferStatus.Completed, 300), done);
        Assert.Equal(done, await _client.Accounts.TransferAsync(alice, bob, 200, "t-1"));
        var poor = await _client.Accounts.TransferAsync(alice, bob, 301);
        Assert.Equal(TransferStatus.InsufficientFunds, poor.Status);
        Assert.False(poor.Succeeded);
        var lost = await _client.Accounts.TransferAsync(alice, Keys.New("facade-nobody"), 1);
        Assert.Equal(TransferStatus.UnknownDestination, lost.Status);

        Assert.Equal(300, await _client.Accounts.BalanceAsync(alice));
        Assert.Equal(200, await _client.Accounts.BalanceAsync(bob));
        var history = await _client.Accounts.HistoryAsync(alice);
        Assert.Equal(
            [(AccountEntryKind.Deposit, 500L, 500L), (AccountEntryKind.TransferOut, -200L, 300L)],
            history.Select(e => (e.Kind, e.Amount, e.BalanceAfter)));
        var view = await _client.Accounts.ViewAsync(bob);
        Assert.Equal((200L, 0L, 0), (view.Balance, view.InFlight, view.PendingCredits));
        Assert.Equal(AccountEntryKind.TransferIn, Assert.Single(view.RecentHistory).Kind);
    }

    [Fact]
    public async Task Orders_match_kill_cancel_reject_and_report_depth_and_trades()
    {
        var symbol = Keys.New("FACADE");
        var orders = _client.Orders;
        var ask = await orders.SubmitLimitAsync(symbol, Side.Sell, 10, 100, orderId: 1);
        Assert.Equal(OrderStatus.New, ask.Status);

        var fok = await orders.SubmitLimitAsync(symbol, Side.Buy, 11, 100, TimeInForce.FillOrKill);
        Assert.Equal((OrderStatus.Cancelled, 0L, 11L), (fok.Status, fok.FilledQuantity, fok.CancelledQuantity));
        var ioc = await orders.SubmitLimitAsync(symbol, Side.Buy, 4, 100, TimeInForce.ImmediateOrCancel);
        Assert.Equal((OrderStatus.Filled, 4L), (ioc.Status, ioc.FilledQuantity));
        var market = await orders.SubmitMarketAsync(symbol, Side.Buy, 8);
        Assert.Equal((OrderStatus.Cancelled, 6L, 2L), (market.Status, market.FilledQuantity, market.CancelledQuantity));

        await orders.SubmitLimitAsync(symbol, Side.Buy, 3, 95, orderId: 50);
        var duplicate = await orders.SubmitLimitAsync(symbol, Side.Sell, 1, 120, orderId: 50);
        Assert.Equal((OrderStatus.Rejected, RejectReason.DuplicateOrderId), (duplicate.Status, duplicate.RejectReason));
        Assert.False(duplicate.Accepted);
        var replaced = await orders.ReplaceAsync(symbol, 50, newPrice: 96);
        Assert.Equal(OrderStatus.New, replaced.Status);

        var depth = await orders.BookAsync(symbol);
        Assert.Equal([new DepthLevel(96, 3, 1)], depth.Bids);
        Assert.Empty(depth.Asks);
        var trades = await orders.TradesAsync(symbol);
        Assert.Equal([(100L, 4L), (100L, 6L)], trades.Select(t => (t.Price, t.Quantity)));
        Assert.All(trades, t => Assert.Equal(1, t.RestingOrderId));

        var cancel = await orders.CancelAsync(symbol, 50);
        Assert.Equal(OrderStatus.Cancelled, cancel.Status);
        Assert.Equal(RejectReason.UnknownOrderId, (await orders.CancelAsync(symbol, 50)).RejectReason);
        var view = await orders.ViewAsync(symbol);
        Assert.Equal(((long?)null, (long?)null, 0), (view.BestBid, view.BestAsk, view.RestingOrders));
    }
}
