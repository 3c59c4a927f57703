using Grid.Grains.Matching;

namespace Grid.Grains.Orders;

/// <summary>
/// The order book of one symbol (the grain key), matched with price-time priority. Operations
/// return business outcomes as values (<see cref="OrderResult"/>); only bad arguments throw.
/// Orders carry ids: the caller's, or one the book assigns; trades are numbered by the book.
/// </summary>
[Alias("grid.order-book")]
public interface IOrderBookGrain : IGrainWithStringKey
{
    /// <summary>A limit or market order, good-till-cancel, immediate-or-cancel or fill-or-kill.</summary>
    [Alias("submit")]
    Task<OrderResult> Submit(OrderRequest order);

    [Alias("cancel")]
    Task<OrderResult> Cancel(long orderId);

    /// <summary>
    /// Changes a resting order's total quantity and/or price. Only a pure quantity decrease keeps
    /// the order's time priority (Liquibook's rule).
    /// </summary>
    [Alias("replace")]
    Task<OrderResult> Replace(long orderId, long? newQuantity, long? newPrice);

    /// <summary>The best <paramref name="levels"/> (1..1000) price levels of each side.</summary>
    [Alias("book")]
    Task<BookDepth> GetBook(int levels);

    /// <summary>The most recent trades, oldest first (at most <paramref name="max"/>, 1..1000).</summary>
    [Alias("trades")]
    Task<IReadOnlyList<Trade>> GetTrades(int max);

    /// <summary>A summary for the dashboard's grain-state page.</summary>
    [Alias("state")]
    Task<OrderBookView> GetState();
}
