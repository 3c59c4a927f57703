using Grid.Grains.Common;

namespace Grid.Grains.Matching;

/// <summary>
/// A limit order book for one symbol with price-time priority, after Liquibook's semantics:
/// the best price fills first and, at one price, the earliest order. Prices are in ticks and
/// quantities in lots, both positive integers. Operations return <see cref="OrderResult"/> values
/// for business outcomes and throw only for programmer errors. Not thread-safe: the owning grain
/// runs one operation at a time. After every operation the book is uncrossed (best bid &lt; best
/// ask) and no order is overfilled, or an <see cref="InvariantViolationException"/> is thrown.
/// </summary>
public sealed partial class OrderBook
{
    public const int RecentTradeCapacityDefault = 1000;

    private readonly BookSide _bids = new(Side.Buy);
    private readonly BookSide _asks = new(Side.Sell);
    private readonly Dictionary<long, RestingEntry> _orders = [];
    private readonly TradeRing _recentTrades;
    private long _nextOrderId = 1;
    private long _nextTradeId = 1;
    private long _nextSequence = 1;

    public OrderBook(string symbol, int recentTradeCapacity = RecentTradeCapacityDefault)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recentTradeCapacity);
        Symbol = symbol;
        _recentTrades = new TradeRing(recentTradeCapacity);
    }

    public string Symbol { get; }

    public long? BestBid => _bids.BestPrice;

    public long? BestAsk => _asks.BestPrice;

    /// <summary>The number of resting orders.</summary>
    public int OrderCount => _orders.Count;

    /// <summary>The last trades (at most the ring capacity), oldest first.</summary>
    public IReadOnlyList<Trade> RecentTrades => _recentTrades.ToList();

    public bool TryGetOrder(long orderId, out RestingOrder order)
    {
        if (_orders.TryGetValue(orderId, out var entry))
        {
            order = entry.ToView();
            return true;
        }
        order = null!;
        return false;
    }

    /// <summary>The top <paramref name="levels"/> price levels of each side, best first.</summary>
    public BookDepth GetDepth(int levels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(levels);
        return new BookDepth(_bids.Depth(levels), _asks.Depth(levels));
    }

    /// <summary>
    /// Matches a new order against the other side, then rests a good-till-cancel limit remainder
    /// and cancels any other remainder. A fill-or-kill order that cannot fill entirely is
    /// cancelled before it touches the book. A caller id already resting is rejected.
    /// </summary>
    public OrderResult Submit(OrderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);

        var orderId = request.OrderId ?? _nextOrderId;
        if (_orders.ContainsKey(orderId))
            return OrderResult.Rejected(orderId, RejectReason.DuplicateOrderId);
        // Engine ids stay above every id seen, so they never collide with a caller's.
        _nextOrderId = Math.Max(_nextOrderId, orderId + 1);

        var limit = request.Type == OrderType.Market ? null : request.Price;
        var opposite = Opposite(request.Side);
        if (request.TimeInForce == TimeInForce.FillOrKill
            && opposite.MatchableQuantity(limit, request.Quantity) < request.Quantity)
        {
            return Finish(new OrderResult(orderId, OrderStatus.Cancelled, RejectReason.None,
                request.Quantity, 0, 0, request.Quantity, [], []));
        }

        var trades = new List<Trade>();
        var matched = new List<RestingOrder>();
        var filled = Match(orderId, request.Side, limit, request.Quantity, trades, matched);
        var open = request.Quantity - filled;

        var rests = open > 0 && request.Type == OrderType.Limit
            && request.TimeInForce == TimeInForce.GoodTillCancel;
        if (rests)
        {
            Rest(new RestingEntry(orderId, request.Side, request.Price!.Value, request.Quantity,
                filled, _nextSequence++));
        }
        var cancelled = rests ? 0 : open;
        var status = open == 0 ? OrderStatus.Filled
            : cancelled > 0 ? OrderStatus.Cancelled
            : filled > 0 ? OrderStatus.PartiallyFilled
            : OrderStatus.New;
        return Finish(new OrderResult(orderId, status, RejectReason.None, request.Quantity,
            filled, rests ? open : 0, cancelled, trades, matched));
    }

    /// <summary>Cancels the open quantity of a resting order.</summary>
    public OrderResult Cancel(long orderId)
    {
        if (!_orders.TryGetValue(orderId, out var entry))
            return OrderResult.Rejected(orderId, RejectReason.UnknownOrderId);
        Unrest(entry);
        return Finish(new OrderResult(orderId, OrderStatus.Cancelled, RejectReason.None,
            entry.Quantity, entry.FilledQuantity, 0, entry.RemainingQuantity, [], []));
    }

    /// <summary>
    /// Cancel/replace of a resting order with a new total quantity and/or price (null keeps the
    /// current one). As in Liquibook, a pure quantity decrease keeps time priority, while a price
    /// change or a quantity increase re-enters the book last at its price, and may trade if the
    /// new price crosses. A new quantity at or below the filled quantity cancels the remainder.
    /// </summary>
    public OrderResult Replace(long orderId, long? newQuantity = null, long? newPrice = null)
    {
        if (newQuantity is null && newPrice is null)
            throw new ArgumentException("A replace needs a new quantity, a new price or both.");
        if (newQuantity is { } q)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(q, nameof(newQuantity));
        if (newPrice is { } p)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p, nameof(newPrice));
        if (!_orders.TryGetValue(orderId, out var entry))
            return OrderResult.Rejected(orderId, RejectReason.UnknownOrderId);

        var quantity = newQuantity ?? entry.Quantity;
        var price = newPrice ?? entry.Price;
        if (quantity <= entry.FilledQuantity)
        {
            Unrest(entry);
            return Finish(new OrderResult(orderId, OrderStatus.Cancelled, RejectReason.None,
                entry.Quantity, entry.FilledQuantity, 0, entry.RemainingQuantity, [], []));
        }
        if (price == entry.Price && quantity <= entry.Quantity)
        {
            // In place: the queue position is kept, so a smaller order cannot jump the queue.
            entry.Quantity = quantity;
            return Finish(Resting(entry, [], []));
        }

        Unrest(entry);
        var trades = new List<Trade>();
        var matched = new List<RestingOrder>();
        var filled = Match(orderId, entry.Side, price, quantity - entry.FilledQuantity, trades,
            matched);
        entry.Quantity = quantity;
        entry.Price = price;
        entry.FilledQuantity += filled;
        if (entry.RemainingQuantity > 0)
        {
            entry.Sequence = _nextSequence++;
            Rest(entry);
        }
        return Finish(Resting(entry, trades, matched));
    }

    private static void Validate(OrderRequest request)
    {
        if (!Enum.IsDefined(request.Side) || !Enum.IsDefined(request.Type)
            || !Enum.IsDefined(request.TimeInForce))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request,
                "Order side, type and time in force must be defined values.");
        }
        if (request.Quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Quantity,
                "Order quantity must be positive.");
        }
        if (request.OrderId is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.OrderId,
                "A caller-supplied order id must be positive.");
        }
        if (request.Type == OrderType.Limit && request.Price is null or <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Price,
                "A limit order needs a positive price in ticks.");
        }
        if (request.Type == OrderType.Market && request.Price is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Price,
                "A market order has no price.");
        }
    }

    private static OrderResult Resting(
        RestingEntry entry, List<Trade> trades, List<RestingOrder> matched) =>
        new(entry.OrderId, entry.ToView().Status, RejectReason.None, entry.Quantity,
            entry.FilledQuantity, entry.RemainingQuantity, 0, trades, matched);

    private BookSide Opposite(Side side) => side == Side.Buy ? _asks : _bids;

    private BookSide Own(Side side) => side == Side.Buy ? _bids : _asks;

    /// <summary>
    /// Fills up to <paramref name="quantity"/> of an aggressor against the opposite side, best
    /// price first and FIFO within a price, at each resting order's price. Returns the filled
    /// quantity; filled resting orders leave the book.
    /// </summary>
    private long Match(long aggressorId, Side side, long? limit, long quantity,
        List<Trade> trades, List<RestingOrder> matched)
    {
        var opposite = Opposite(side);
        var open = quantity;
        while (open > 0 && opposite.TryGetBest(out var level))
        {
            var resting = level.First!.Value;
            if (!opposite.IsMatchable(resting.Price, limit))
                break;
            var fill = Math.Min(open, resting.RemainingQuantity);
            resting.FilledQuantity += fill;
            open -= fill;
            if (resting.FilledQuantity > resting.Quantity || open < 0)
            {
                throw new InvariantViolationException(
                    $"Order {resting.OrderId} or {aggressorId} overfilled by a fill of {fill}.");
            }
            var trade = new Trade(_nextTradeId++, aggressorId, resting.OrderId, resting.Price, fill,
                side);
            trades.Add(trade);
            _recentTrades.Add(trade);
            if (resting.RemainingQuantity == 0)
                Unrest(resting);
            matched.Add(resting.ToView());
        }
        return quantity - open;
    }

    private void Rest(RestingEntry entry)
    {
        Own(entry.Side).Append(entry);
        _orders.Add(entry.OrderId, entry);
    }

    private void Unrest(RestingEntry entry)
    {
        Own(entry.Side).Remove(entry);
        _orders.Remove(entry.OrderId);
    }

    /// <summary>Checks the invariants every operation must leave behind, then returns.</summary>
    private OrderResult Finish(OrderResult result)
    {
        if (BestBid is { } bid && BestAsk is { } ask && bid >= ask)
            throw new InvariantViolationException($"Crossed book: bid {bid} >= ask {ask}.");
        if (result.Accepted && result.FilledQuantity + result.RemainingQuantity
            + result.CancelledQuantity != result.Quantity)
        {
            throw new InvariantViolationException(
                $"Order {result.OrderId}: filled + remaining + cancelled != quantity ({result}).");
        }
        if (result.FilledQuantity > result.Quantity)
            throw new InvariantViolationException($"Order {result.OrderId} overfilled ({result}).");
        return result;
    }
}
