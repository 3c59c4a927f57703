using Grid.Grains.Matching;

namespace Grid.Grains.Orders;

/// <summary>
/// The stored record of one book: the fields of an <see cref="OrderBookSnapshot"/>, with stable
/// ids so the engine's snapshot type can change shape without changing the stored format.
/// </summary>
[GenerateSerializer]
[Alias("grid.order-book-state")]
public sealed class OrderBookState
{
    /// <summary>False for a book never written; the other members are then defaults.</summary>
    [Id(0)]
    public bool Exists { get; set; }

    [Id(1)]
    public string Symbol { get; set; } = "";

    /// <summary>Resting bids, best price first, then earliest first.</summary>
    [Id(2)]
    public List<RestingOrder> Bids { get; set; } = [];

    /// <summary>Resting asks, best price first, then earliest first.</summary>
    [Id(3)]
    public List<RestingOrder> Asks { get; set; } = [];

    [Id(4)]
    public long NextOrderId { get; set; }

    [Id(5)]
    public long NextTradeId { get; set; }

    [Id(6)]
    public long NextSequence { get; set; }

    [Id(7)]
    public int RecentTradeCapacity { get; set; }

    /// <summary>The recent-trade ring, oldest first.</summary>
    [Id(8)]
    public List<Trade> RecentTrades { get; set; } = [];

    public static OrderBookState From(OrderBookSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new OrderBookState
        {
            Exists = true,
            Symbol = snapshot.Symbol,
            Bids = [.. snapshot.Bids],
            Asks = [.. snapshot.Asks],
            NextOrderId = snapshot.NextOrderId,
            NextTradeId = snapshot.NextTradeId,
            NextSequence = snapshot.NextSequence,
            RecentTradeCapacity = snapshot.RecentTradeCapacity,
            RecentTrades = [.. snapshot.RecentTrades],
        };
    }

    public OrderBookSnapshot ToSnapshot() =>
        new(Symbol, Bids, Asks, NextOrderId, NextTradeId, NextSequence, RecentTradeCapacity,
            RecentTrades);
}
