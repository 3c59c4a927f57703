using System.Text.Json;
using Grid.Grains.Matching;

namespace Grid.Grains.Tests.Matching;

public class DepthAndSnapshotTests
{
    private readonly OrderBook _book = new("XYZ");

    [Fact]
    public void Depth_aggregates_the_top_levels_best_first()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 99, 5));
        _book.Submit(OrderRequest.Limit(Side.Buy, 99, 7));
        _book.Submit(OrderRequest.Limit(Side.Buy, 98, 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 97, 1));
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 3));
        _book.Submit(OrderRequest.Limit(Side.Sell, 103, 2));
        _book.Submit(OrderRequest.Limit(Side.Buy, 101, 1));

        var depth = _book.GetDepth(2);

        Assert.Equal([new DepthLevel(99, 12, 2), new DepthLevel(98, 1, 1)], depth.Bids);
        Assert.Equal([new DepthLevel(101, 2, 1), new DepthLevel(103, 2, 1)], depth.Asks);
        Assert.Throws<ArgumentOutOfRangeException>(() => _book.GetDepth(0));
    }

    [Fact]
    public void The_recent_trade_ring_keeps_only_the_last_trades()
    {
        var book = new OrderBook("XYZ", recentTradeCapacity: 3);
        book.Submit(OrderRequest.Limit(Side.Sell, 100, 5));

        for (var i = 0; i < 5; i++)
            book.Submit(OrderRequest.Market(Side.Buy, 1));

        Assert.Equal([3L, 4L, 5L], book.RecentTrades.Select(t => t.TradeId));
    }

    [Fact]
    public void The_default_ring_holds_a_thousand_trades()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 1500));

        for (var i = 0; i < 1500; i++)
            _book.Submit(OrderRequest.Market(Side.Buy, 1));

        Assert.Equal(OrderBook.RecentTradeCapacityDefault, _book.RecentTrades.Count);
        Assert.Equal(501, _book.RecentTrades[0].TradeId);
        Assert.Equal(1500, _book.RecentTrades[^1].TradeId);
    }

    [Fact]
    public void A_restored_book_keeps_priority_counters_and_trades()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 2));
        _book.Submit(OrderRequest.Limit(Side.Buy, 101, 10, orderId: 3));
        _book.Replace(1, newQuantity: 20);
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 4, orderId: 10));
        _book.Submit(OrderRequest.Limit(Side.Sell, 105, 4, orderId: 11));

        var json = JsonSerializer.Serialize(_book.ToSnapshot());
        var restored = OrderBook.Restore(JsonSerializer.Deserialize<OrderBookSnapshot>(json)!);

        Assert.Equal(json, JsonSerializer.Serialize(restored.ToSnapshot()));
        var sweep = OrderRequest.Limit(Side.Sell, 100, 30);
        var expected = _book.Submit(sweep);
        var actual = restored.Submit(sweep);
        Assert.Equal(12, actual.OrderId);
        Assert.Equal([3L, 2L, 1L], actual.Trades.Select(t => t.RestingOrderId));
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
    }

    [Fact]
    public void A_malformed_snapshot_is_refused()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 101, 10, orderId: 2));
        _book.Submit(OrderRequest.Limit(Side.Sell, 105, 10, orderId: 3));
        var snapshot = _book.ToSnapshot();

        Assert.Throws<ArgumentException>(() => OrderBook.Restore(
            snapshot with { Bids = [snapshot.Bids[1], snapshot.Bids[0]] }));
        Assert.Throws<ArgumentException>(() => OrderBook.Restore(
            snapshot with { Asks = [snapshot.Asks[0] with { Price = 100 }] }));
        Assert.Throws<ArgumentException>(() => OrderBook.Restore(
            snapshot with { Asks = [snapshot.Asks[0] with { OrderId = 1 }] }));
        Assert.Throws<ArgumentException>(
            () => OrderBook.Restore(snapshot with { NextOrderId = 2 }));
    }
}
