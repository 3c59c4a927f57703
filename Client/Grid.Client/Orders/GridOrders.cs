using Grid.Grains.Matching;
using Grid.Grains.Orders;

namespace Grid.Client.Orders;

/// <summary>
/// Order books: one <see cref="IOrderBookGrain"/> per symbol. Prices are in ticks, quantities in
/// lots. A rejection (duplicate or unknown order id) is a result, not an exception.
/// </summary>
public sealed class GridOrders
{
    public const int DefaultLevels = 10;
    public const int DefaultTrades = 20;

    private readonly IGrainFactory _grains;

    public GridOrders(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

    /// <summary>A limit order: trades at <paramref name="price"/> or better.</summary>
    public Task<OrderResult> SubmitLimitAsync(
        string symbol, Side side, long quantity, long price,
        TimeInForce timeInForce = TimeInForce.GoodTillCancel, long? orderId = null) =>
        SubmitAsync(symbol, OrderRequest.Limit(side, price, quantity, timeInForce, orderId));

    /// <summary>A market order: takes any price and never rests.</summary>
    public Task<OrderResult> SubmitMarketAsync(
        string symbol, Side side, long quantity,
        TimeInForce timeInForce = TimeInForce.ImmediateOrCancel, long? orderId = null) =>
        SubmitAsync(symbol, OrderRequest.Market(side, quantity, timeInForce, orderId));

    public Task<OrderResult> SubmitAsync(string symbol, OrderRequest order)
    {
        GridValidation.Symbol(symbol, nameof(symbol));
        Validate(order);
        return Grain(symbol).Submit(order);
    }

    public Task<OrderResult> CancelAsync(string symbol, long orderId)
    {
        GridValidation.Symbol(symbol, nameof(symbol));
        GridValidation.OrderId(orderId, nameof(orderId));
        return Grain(symbol).Cancel(orderId);
    }

    /// <summary>
    /// Changes a resting order's total quantity and/or price (null keeps it). Only a pure quantity
    /// decrease keeps the order's time priority.
    /// </summary>
    public Task<OrderResult> ReplaceAsync(
        string symbol, long orderId, long? newQuantity = null, long? newPrice = null)
    {
        GridValidation.Symbol(symbol, nameof(symbol));
        GridValidation.OrderId(orderId, nameof(orderId));
        if (newQuantity is null && newPrice is null)
        {
            throw new ArgumentException(
                "a replace needs a new quantity, a new price or both", nameof(newQuantity));
        }

        if (newQuantity is { } quantity)
        {
            GridValidation.Quantity(quantity, nameof(newQuantity));
        }

        if (newPrice is { } price)
        {
            GridValidation.Price(price, nameof(newPrice));
        }

        return Grain(symbol).Replace(orderId, newQuantity, newPrice);
    }

    /// <summary>The best <paramref name="levels"/> price levels of each side.</summary>
    public Task<BookDepth> BookAsync(string symbol, int levels = DefaultLevels)
    {
        GridValidation.Symbol(symbol, nameof(symbol));
        GridValidation.Count(levels, nameof(levels));
        return Grain(symbol).GetBook(levels);
    }

    /// <summary>The most recent trades, oldest first.</summary>
    public Task<IReadOnlyList<Trade>> TradesAsync(string symbol, int max = DefaultTrades)
    {
        GridValidation.Symbol(symbol, nameof(symbol));
        GridValidation.Count(max, nameof(max));
        return Grain(symbol).GetTrades(max);
    }

    /// <summary>Best prices, resting orders, top levels and last trades in one call.</summary>
    public Task<OrderBookView> ViewAsync(string symbol)
    {
        GridValidation.Symbol(symbol, nameof(symbol));
        return Grain(symbol).GetState();
    }

    /// <summary>The matching engine's rules, checked here so a bad order never travels.</summary>
    public static void Validate(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!Enum.IsDefined(order.Side) || !Enum.IsDefined(order.Type)
            || !Enum.IsDefined(order.TimeInForce))
        {
            throw new ArgumentException(
                "order side, type and time in force must be defined values", nameof(order));
        }

        GridValidation.Quantity(order.Quantity, "quantity");
        if (order.OrderId is { } orderId)
        {
            GridValidation.OrderId(orderId, "orderId");
        }

        if (order.Type == OrderType.Limit)
        {
            if (order.Price is not { } price)
            {
                throw new ArgumentException("a limit order needs a price", nameof(order));
            }

            GridValidation.Price(price, "price");
        }
        else if (order.Price is not null)
        {
            throw new ArgumentException("a market order has no price", nameof(order));
        }
    }

    private IOrderBookGrain Grain(string symbol) => _grains.GetGrain<IOrderBookGrain>(symbol);
}
