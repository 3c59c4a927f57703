using Grid.Grains.Matching;

namespace Grid.Grains.Tests.Matching;

public class CancelReplaceTests
{
    private readonly OrderBook _book = new("XYZ");

    [Fact]
    public void Cancel_removes_the_open_quantity()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 101, 10, orderId: 2));

        var result = _book.Cancel(2);

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((10L, 4L, 0L, 6L), (result.Quantity, result.FilledQuantity,
            result.RemainingQuantity, result.CancelledQuantity));
        Assert.Null(_book.BestBid);
        Assert.Equal(0, _book.OrderCount);
    }

    [Fact]
    public void Cancel_of_an_unknown_or_finished_order_is_rejected()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));
        _book.Cancel(1);

        Assert.Equal(RejectReason.UnknownOrderId, _book.Cancel(1).RejectReason);
        Assert.Equal(RejectReason.UnknownOrderId, _book.Cancel(42).RejectReason);
        Assert.Equal(RejectReason.UnknownOrderId, _book.Replace(42, newQuantity: 5).RejectReason);
    }

    [Fact]
    public void A_quantity_decrease_keeps_time_priority()
    {
        RestTwoBidsAt100();

        var replace = _book.Replace(1, newQuantity: 3);

        Assert.Equal(OrderStatus.New, replace.Status);
        Assert.Equal((3L, 3L), (replace.Quantity, replace.RemainingQuantity));
        Assert.Equal(1, FirstToFillAt100());
    }

    [Fact]
    public void A_quantity_increase_loses_time_priority()
    {
        RestTwoBidsAt100();

        _book.Replace(1, newQuantity: 20);

        Assert.Equal(2, FirstToFillAt100());
    }

    [Fact]
    public void A_price_change_loses_time_priority_even_back_at_the_old_price()
    {
        RestTwoBidsAt100();

        _book.Replace(1, newPrice: 99);
        _book.Replace(1, newPrice: 100);

        Assert.Equal(2, FirstToFillAt100());
    }

    [Fact]
    public void A_replace_to_a_crossing_price_trades_as_the_aggressor()
    {
        _book.Submit(OrderRequest.Limit(Side.Sell, 102, 4, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 2));

        var result = _book.Replace(2, newPrice: 102);

        var trade = Assert.Single(result.Trades);
        Assert.Equal((2L, 1L, 102L, 4L), (trade.AggressorOrderId, trade.RestingOrderId, trade.Price,
            trade.Quantity));
        Assert.Equal(OrderStatus.PartiallyFilled, result.Status);
        Assert.Equal((4L, 6L), (result.FilledQuantity, result.RemainingQuantity));
        Assert.Equal(102, _book.BestBid);
        Assert.Null(_book.BestAsk);
    }

    [Fact]
    public void A_replace_to_at_most_the_filled_quantity_cancels_the_rest()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 2));

        var result = _book.Replace(1, newQuantity: 4);

        Assert.Equal(OrderStatus.Cancelled, result.Status);
        Assert.Equal((10L, 4L, 0L, 6L), (result.Quantity, result.FilledQuantity,
            result.RemainingQuantity, result.CancelledQuantity));
        Assert.False(_book.TryGetOrder(1, out _));
    }

    [Fact]
    public void A_replace_above_the_filled_quantity_leaves_the_difference_open()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Sell, 100, 4, orderId: 2));

        var result = _book.Replace(1, newQuantity: 6);

        Assert.Equal(OrderStatus.PartiallyFilled, result.Status);
        Assert.Equal((6L, 4L, 2L), (result.Quantity, result.FilledQuantity,
            result.RemainingQuantity));
    }

    [Fact]
    public void Replace_argument_errors_throw()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));

        Assert.Throws<ArgumentException>(() => _book.Replace(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _book.Replace(1, newQuantity: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _book.Replace(1, newPrice: 0));
    }

    private void RestTwoBidsAt100()
    {
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 1));
        _book.Submit(OrderRequest.Limit(Side.Buy, 100, 10, orderId: 2));
    }

    private long FirstToFillAt100()
    {
        var result = _book.Submit(OrderRequest.Limit(Side.Sell, 100, 1, orderId: 99));
        return Assert.Single(result.Trades).RestingOrderId;
    }
}
