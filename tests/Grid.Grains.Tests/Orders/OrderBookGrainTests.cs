using Grid.Grains.Matching;
using Grid.Grains.Orders;
using Grid.Grains.Tests.Cluster;

namespace Grid.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderBookGrainTests(ClusterFixture fixture)
{
    private IOrderBookGrain NewBook() =>
        fixture.Grains.GetGrain<IOrderBookGrain>($"SYM-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_crossing_limit_order_trades_at_the_resting_price()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Sell, 101, 10, orderId: 1));
        await book.Submit(OrderRequest.Limit(Side.Sell, 102, 5, orderId: 2));

        var result = await book.Submit(OrderRequest.Limit(Side.Buy, 102, 12, orderId: 3));

        Assert.Equal(OrderStatus.Filled, result.Status);
        Assert.Equal([new Trade(1, 3, 1, 101, 10, Side.Buy), new Trade(2, 3, 2, 102, 2, Side.Buy)],
            result.Trades);
        Assert.Equal(result.Trades, await book.GetTrades(10));
        var depth = await book.GetBook(5);
        Assert.Empty(depth.Bids);
        Assert.Equal([new DepthLevel(102, 3, 1)], depth.Asks);
        var view = await book.GetState();
        Assert.Equal((null, 102L, 1), (view.BestBid, view.BestAsk, view.RestingOrders));
    }

    [Fact]
    public async Task Immediate_or_cancel_fills_what_it_can_and_cancels_the_rest()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));

        var result = await book.Submit(
            OrderRequest.Limit(Side.Buy, 100, 10, TimeInForce.ImmediateOrCancel, orderId: 2));

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((4L, 0L, 6L), (result.FilledQuantity, result.RemainingQuantity,
            result.CancelledQuantity));
        var depth = await book.GetBook(5);
        Assert.Empty(depth.Bids);
        Assert.Empty(depth.Asks);
    }

    [Fact]
    public async Task Fill_or_kill_either_fills_entirely_or_leaves_the_book_untouched()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));

        var killed = await book.Submit(
            OrderRequest.Limit(Side.Buy, 100, 5, TimeInForce.FillOrKill, orderId: 2));
        var bookAfterKill = await book.GetBook(5);
        var filled = await book.Submit(
            OrderRequest.Limit(Side.Buy, 100, 4, TimeInForce.FillOrKill, orderId: 3));

        Assert.Equal(OrderStatus.Cancelled, killed.Status);
        Assert.Empty(killed.Trades);
        Assert.Equal([new DepthLevel(100, 4, 1)], bookAfterKill.Asks);
        Assert.Equal(OrderStatus.Filled, filled.Status);
        Assert.Equal(4, Assert.Single(filled.Trades).Quantity);
        Assert.Empty((await book.GetBook(5)).Asks);
    }

    [Fact]
    public async Task Cancel_removes_a_resting_order_once()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Buy, 99, 10, orderId: 7));

        var cancelled = await book.Cancel(7);
        var again = await book.Cancel(7);

        Assert.Equal((OrderStatus.Cancelled, 10L), (cancelled.Status, cancelled.CancelledQuantity));
        Assert.Equal((OrderStatus.Rejected, RejectReason.UnknownOrderId),
            (again.Status, again.RejectReason));
        Assert.Empty((await book.GetBook(5)).Bids);
    }

    [Fact]
    public async Task Replace_keeps_priority_on_a_decrease_and_loses_it_on_a_price_change()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Sell, 100, 10, orderId: 1));
        await book.Submit(OrderRequest.Limit(Side.Sell, 100, 10, orderId: 2));

        var decreased = await book.Replace(1, 6, null);
        var first = await book.Submit(OrderRequest.Limit(Side.Buy, 100, 6, orderId: 3));
        var moved = await book.Replace(2, null, 101);

        Assert.Equal((OrderStatus.New, 6L), (decreased.Status, decreased.RemainingQuantity));
        Assert.Equal(1, Assert.Single(first.Trades).RestingOrderId);
        Assert.Equal(OrderStatus.New, moved.Status);
        Assert.Equal([new DepthLevel(101, 10, 1)], (await book.GetBook(5)).Asks);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => book.Replace(2, null, null));
    }

    [Fact]
    public async Task The_book_and_its_trades_survive_deactivation()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Sell, 105, 5));
        await book.Submit(OrderRequest.Limit(Side.Sell, 104, 5));
        await book.Submit(OrderRequest.Limit(Side.Buy, 100, 8));
        var traded = await book.Submit(OrderRequest.Limit(Side.Buy, 104, 3));
        var depthBefore = await book.GetBook(10);
        var tradesBefore = await book.GetTrades(10);

        await fixture.DeactivateAsync(book);

        var depthAfter = await book.GetBook(10);
        Assert.Equal(depthBefore.Bids, depthAfter.Bids);
        Assert.Equal(depthBefore.Asks, depthAfter.Asks);
        Assert.Equal(tradesBefore, await book.GetTrades(10));
        Assert.Single(tradesBefore);
        // The counters were restored too: new ids continue after the old ones.
        var next = await book.Submit(OrderRequest.Limit(Side.Buy, 105, 2));
        Assert.True(next.OrderId > traded.OrderId);
        Assert.Equal(2, Assert.Single(next.Trades).TradeId);
    }

    [Fact]
    public async Task Bad_arguments_throw_and_engine_rejections_are_values()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Buy, 99, 1, orderId: 5));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => book.GetBook(0));
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => book.GetBook(OrderBookGrain.QueryMax + 1));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => book.GetTrades(0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => book.Submit(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => book.Submit(new OrderRequest(Side.Buy, OrderType.Limit, 5, null,
                TimeInForce.GoodTillCancel)));
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => book.Submit(OrderRequest.Limit(Side.Buy, 99, 0)));
        var duplicate = await book.Submit(OrderRequest.Limit(Side.Sell, 120, 1, orderId: 5));

        Assert.Equal((OrderStatus.Rejected, RejectReason.DuplicateOrderId),
            (duplicate.Status, duplicate.RejectReason));
        Assert.Equal(1, (await book.GetState()).RestingOrders);
    }

    [Fact]
    public async Task An_operation_whose_write_fails_is_not_in_the_reloaded_book()
    {
        var book = NewBook();
        await book.Submit(OrderRequest.Limit(Side.Sell, 100, 5, orderId: 1));
        fixture.Faults.FailWrite(book.GetGrainId(), FaultTiming.BeforePersist);

        await Assert.ThrowsAnyAsync<Exception>(
            () => book.Submit(OrderRequest.Limit(Side.Buy, 100, 5, orderId: 2)));

        var depth = await Retry.UntilSuccessAsync(() => book.GetBook(5));
        Assert.Equal([new DepthLevel(100, 5, 1)], depth.Asks);
        Assert.Empty(await book.GetTrades(10));
    }
}
