namespace Grid.Grains.Matching;

/// <summary>
/// Everything needed to rebuild an <see cref="OrderBook"/> (it becomes grain state): the resting
/// orders of each side in priority order (best price first, then earliest first), the sequence
/// counters, and the recent-trade ring oldest first. Plain records, so any serializer works.
/// </summary>
public sealed record OrderBookSnapshot(
    string Symbol,
    IReadOnlyList<RestingOrder> Bids,
    IReadOnlyList<RestingOrder> Asks,
    long NextOrderId,
    long NextTradeId,
    long NextSequence,
    int RecentTradeCapacity,
    IReadOnlyList<Trade> RecentTrades);
