using Grid.Grains.Matching;

namespace Grid.Grains.Orders;

/// <summary>A summary of a book: best prices, resting orders, the top levels and the last trades.</summary>
[GenerateSerializer]
[Alias("grid.order-book-view")]
[Immutable]
public sealed record OrderBookView(
    string Symbol,
    long? BestBid,
    long? BestAsk,
    int RestingOrders,
    BookDepth Top,
    IReadOnlyList<Trade> LastTrades);
