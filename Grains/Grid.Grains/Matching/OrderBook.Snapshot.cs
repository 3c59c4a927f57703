namespace Grid.Grains.Matching;

/// <summary>Snapshot and restore: the book as grain state.</summary>
public sealed partial class OrderBook
{
    /// <summary>Captures the full state; <see cref="Restore"/> rebuilds an equal book.</summary>
    public OrderBookSnapshot ToSnapshot() =>
        new(Symbol, _bids.InPriorityOrder(), _asks.InPriorityOrder(), _nextOrderId, _nextTradeId,
            _nextSequence, _recentTrades.Capacity, _recentTrades.ToList());

    /// <summary>
    /// Rebuilds a book that behaves exactly like the one that took <paramref name="snapshot"/>.
    /// The snapshot comes from storage, so it is checked: a malformed one (unordered, crossed,
    /// duplicate ids, counters behind the orders) throws <see cref="ArgumentException"/>.
    /// </summary>
    public static OrderBook Restore(OrderBookSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(snapshot.Bids);
        ArgumentNullException.ThrowIfNull(snapshot.Asks);
        ArgumentNullException.ThrowIfNull(snapshot.RecentTrades);
        if (snapshot.RecentTrades.Count > snapshot.RecentTradeCapacity)
            throw Malformed("more recent trades than the ring holds");

        var book = new OrderBook(snapshot.Symbol, snapshot.RecentTradeCapacity)
        {
            _nextOrderId = snapshot.NextOrderId,
            _nextTradeId = snapshot.NextTradeId,
            _nextSequence = snapshot.NextSequence,
        };
        book.RestoreSide(snapshot.Bids, Side.Buy);
        book.RestoreSide(snapshot.Asks, Side.Sell);
        if (book.BestBid is { } bid && book.BestAsk is { } ask && bid >= ask)
            throw Malformed($"crossed book, best bid {bid} >= best ask {ask}");
        foreach (var trade in snapshot.RecentTrades)
        {
            if (trade.TradeId >= snapshot.NextTradeId)
                throw Malformed($"trade {trade.TradeId} is not below the next trade id");
            book._recentTrades.Add(trade);
        }
        return book;
    }

    private void RestoreSide(IReadOnlyList<RestingOrder> orders, Side side)
    {
        RestingOrder? previous = null;
        foreach (var order in orders)
        {
            ArgumentNullException.ThrowIfNull(order);
            if (order.Side != side || order.Price <= 0 || order.FilledQuantity < 0
                || order.RemainingQuantity <= 0)
            {
                throw Malformed($"order {order.OrderId} is not a valid resting {side} order");
            }
            if (order.OrderId <= 0 || order.OrderId >= _nextOrderId
                || order.Sequence <= 0 || order.Sequence >= _nextSequence)
            {
                throw Malformed($"order {order.OrderId} is not below the counters");
            }
            if (previous is not null && !InPriorityOrder(previous, order))
                throw Malformed($"order {order.OrderId} is out of priority order");
            if (_orders.ContainsKey(order.OrderId))
                throw Malformed($"order {order.OrderId} appears twice");
            Rest(new RestingEntry(order.OrderId, side, order.Price, order.Quantity,
                order.FilledQuantity, order.Sequence));
            previous = order;
        }
    }

    private static bool InPriorityOrder(RestingOrder first, RestingOrder second)
    {
        if (first.Price == second.Price)
            return first.Sequence < second.Sequence;
        return first.Side == Side.Buy ? first.Price > second.Price : first.Price < second.Price;
    }

    private static ArgumentException Malformed(string why) =>
        new($"Malformed order book snapshot: {why}.");
}
