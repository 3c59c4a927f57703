using Grid.Grains.Matching;

namespace Grid.Grains.Tests.Matching;

public class SubmitTests
{
    private readonly OrderBook _book = new("XYZ");

    [Fact]
    public void A_limit_order_with_no_counterparty_rests_as_new()
    {
        var result = _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));

        Assert.Equal(OrderStatus.New, result.Status);
        Assert.Equal((10L, 0L, 10L, 0L), (result.Quantity, result.FilledQuantity,
            result.RemainingQuantity, result.CancelledQuantity));
        Assert.Empty(result.Trades);
        Assert.Equal(100, _book.BestBid);
        Assert.Null(_book.BestAsk);
    }

    [Fact]
    public void A_crossing_limit_order_fills_at_the_resting_price()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 10, orderId: 1));

        var result = _book.Submit(OrderRequest.Limit(Side.Buy, 105, 10, orderId: 2));

        Assert.Equal(OrderStatus.Filled, result.Status);
        var trade = Assert.Single(result.Trades);
        Assert.Equal(new Trade(1, 2, 1, 101, 10, Side.Buy), trade);
        var resting = Assert.Single(result.MatchedOrders);
        Assert.Equal(OrderStatus.Filled, resting.Status);
        Assert.Equal(0, _book.OrderCount);
    }

    [Fact]
    public void A_partial_fill_rests_the_remainder_as_partially_filled()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));

        var result = _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 2));

        Assert.Equal(OrderStatus.PartiallyFilled, result.Status);
        Assert.Equal((4L, 6L), (result.FilledQuantity, result.RemainingQuantity));
        Assert.True(_book.TryGetOrder(2, out var order));
        Assert.Equal(6, order.RemainingQuantity);
        Assert.Equal(100, _book.BestBid);
    }

    [Fact]
    public void A_resting_order_is_partially_filled_by_a_smaller_aggressor()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));

        var result = _book.Submit(OrderRequest.Limit(Side.Sell, 100, 3, orderId: 2));

        Assert.Equal(OrderStatus.Filled, result.Status);
        var resting = Assert.Single(result.MatchedOrders);
        Assert.Equal(OrderStatus.PartiallyFilled, resting.Status);
        Assert.Equal(7, resting.RemainingQuantity);
    }

    [Fact]
    public void Better_prices_fill_first_then_earlier_orders_at_one_price()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 102, 5, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 5, orderId: 2));
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 5, orderId: 3));
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 5, orderId: 4));

        var result = _book.Submit(OrderRequest.Limit(Side.Buy, 102, 18, orderId: 5));

        Assert.Equal([4L, 2L, 3L, 1L], result.Trades.Select(t => t.RestingOrderId));
        Assert.Equal([100L, 101L, 101L, 102L], result.Trades.Select(t => t.Price));
        Assert.Equal([5L, 5L, 5L, 3L], result.Trades.Select(t => t.Quantity));
        Assert.Equal([1L, 2L, 3L, 4L], result.Trades.Select(t => t.TradeId));
        Assert.True(_book.TryGetOrder(1, out var left));
        Assert.Equal(2, left.RemainingQuantity);
    }

    [Fact]
    public void A_limit_order_does_not_trade_through_its_price()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 99, 5, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 97, 5, orderId: 2));

        var result = _book.Submit(OrderRequest.Limit(Side.Sell, 98, 20, orderId: 3));

        Assert.Equal(5, result.FilledQuantity);
        Assert.Equal(OrderStatus.PartiallyFilled, result.Status);
        Assert.Equal((97L, 98L), (_book.BestBid!.Value, _book.BestAsk!.Value));
    }

    [Fact]
    public void Immediate_or_cancel_fills_what_it_can_and_cancels_the_rest()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));

        var result = _book.Submit(
            OrderRequest.Limit(Side.Buy, 100, 10, TimeInForce.ImmediateOrCancel, 2));

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((4L, 0L, 6L), (result.FilledQuantity, result.RemainingQuantity,
            result.CancelledQuantity));
        Assert.False(_book.TryGetOrder(2, out _));
        Assert.Null(_book.BestBid);
    }

    [Fact]
    public void Immediate_or_cancel_that_fills_entirely_is_filled()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 10, orderId: 1));

        var result = _book.Submit(
            OrderRequest.Limit(Side.Buy, 100, 10, TimeInForce.ImmediateOrCancel, 2));

        Assert.Equal(OrderStatus.Filled, result.Status);
    }

    [Fact]
    public void Fill_or_kill_with_enough_liquidity_fills_across_levels()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 6, orderId: 2));

        var result = _book.Submit(
            OrderRequest.Limit(Side.Buy, 101, 10, TimeInForce.FillOrKill, 3));

        Assert.Equal(OrderStatus.Filled, result.Status);
        Assert.Equal(2, result.Trades.Count);
        Assert.Equal(0, _book.OrderCount);
    }

    [Fact]
    public void Fill_or_kill_without_enough_liquidity_leaves_the_book_untouched()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Sell, 101, 5, orderId: 2));
        _book.Submit(OrderRequest.Limit(Side.Sell, 103, 50, orderId: 3));
        var before = Describe(_book);

        var result = _book.Submit(
            OrderRequest.Limit(Side.Buy, 101, 10, TimeInForce.FillOrKill, 4));

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((0L, 10L), (result.FilledQuantity, result.CancelledQuantity));
        Assert.Empty(result.Trades);
        Assert.Equal(before, Describe(_book));
        Assert.Empty(_book.RecentTrades);
    }

    [Fact]
    public void A_market_order_takes_any_price_and_never_rests()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 3, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 50, 3, orderId: 2));

        var result = _book.Submit(
            OrderRequest.Market(Side.Sell, 10, TimeInForce.GoodTillCancel, orderId: 3));

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((6L, 0L, 4L), (result.FilledQuantity, result.RemainingQuantity,
            result.CancelledQuantity));
        Assert.Equal([100L, 50L], result.Trades.Select(t => t.Price));
        Assert.Null(_book.BestAsk);
        Assert.Equal(0, _book.OrderCount);
    }

    [Fact]
    public void A_market_order_on_an_empty_book_is_cancelled()
    {
        var result = _book.Submit(OrderRequest.Market(Side.Buy, 10, orderId: 1));

        Assert.True(result.Accepted);
        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((0L, 10L), (result.FilledQuantity, result.CancelledQuantity));
        Assert.Equal(0, _book.OrderCount);
    }

    [Fact]
    public void A_fill_or_kill_market_order_on_a_thin_book_is_killed()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));

        var result = _book.Submit(OrderRequest.Market(Side.Buy, 5, TimeInForce.FillOrKill, 2));

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Empty(result.Trades);
        Assert.True(_book.TryGetOrder(1, out var untouched));
        Assert.Equal(0, untouched.FilledQuantity);
    }

    [Fact]
    public void A_duplicate_resting_id_is_rejected_and_changes_nothing()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 7));
        var before = Describe(_book);

        var result = _book.Submit(OrderRequest.Limit(Side.Sell, 100, 10, orderId: 7));

        Assert.False(result.Accepted);
        Assert.Equal(OrderStatus.Rejected, result.Status);
        Assert.Equal(RejectReason.DuplicateOrderId, result.RejectReason);
        Assert.Equal(before, Describe(_book));
    }

    [Fact]
    public void Engine_assigned_ids_are_unique_and_skip_caller_ids()
    {
        var first = _book.Submit(OrderRequest.Limit(Side.Buy, 90, 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 91, 1, orderId: 5));
        var next = _book.Submit(OrderRequest.Limit(Side.Buy, 92, 1));

        Assert.Equal(1, first.OrderId);
        Assert.Equal(6, next.OrderId);
        Assert.Equal(3, _book.OrderCount);
    }

    [Fact]
    public void Programmer_errors_throw_with_a_clear_message()
    {
        Assert.Throws<ArgumentNullException>(() => _book.Submit(null!));
        var quantity = Assert.Throws<ArgumentOutOfRangeException>(
            () => _book.Submit(OrderRequest.Limit(Side.Buy, 100, 0)));
        Assert.Contains("quantity must be positive", quantity.Message, StringComparison.Ordinal);
        var price = Assert.Throws<ArgumentOutOfRangeException>(
            () => _book.Submit(OrderRequest.Limit(Side.Buy, -1, 5)));
        Assert.Contains("positive price", price.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _book.Submit(new OrderRequest(Side.Buy, OrderType.Market, 5, 100,
                TimeInForce.ImmediateOrCancel)));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _book.Submit(OrderRequest.Limit(Side.Buy, 100, 5, orderId: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _book.Submit(OrderRequest.Limit((Side)7, 100, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderBook("XYZ", 0));
    }

    /// <summary>The resting orders and trades; the order id counter may move on a kill.</summary>
    private static string Describe(OrderBook book)
    {
        var snapshot = book.ToSnapshot();
        return System.Text.Json.JsonSerializer.Serialize(
            new { snapshot.Bids, snapshot.Asks, snapshot.NextTradeId, snapshot.RecentTrades });
    }
}
