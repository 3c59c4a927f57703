namespace Grid.Grains.Matching;

/// <summary>
/// A new order. <see cref="OrderId"/> is the caller's id, or null for one the engine assigns.
/// <see cref="Price"/> is in ticks and required for limit orders; market orders have none.
/// Validation happens in the matching engine (`OrderBook.Submit`), where bad values are programmer errors.
/// </summary>
[GenerateSerializer]
[Alias("grid.order-request")]
[Immutable]
public sealed record OrderRequest(
    Side Side,
    OrderType Type,
    long Quantity,
    long? Price,
    TimeInForce TimeInForce,
    long? OrderId = null)
{
    public static OrderRequest Limit(
        Side side, long price, long quantity,
        TimeInForce timeInForce = TimeInForce.GoodTillCancel, long? orderId = null) =>
        new(side, OrderType.Limit, quantity, price, timeInForce, orderId);

    public static OrderRequest Market(
        Side side, long quantity,
        TimeInForce timeInForce = TimeInForce.ImmediateOrCancel, long? orderId = null) =>
        new(side, OrderType.Market, quantity, null, timeInForce, orderId);
}
