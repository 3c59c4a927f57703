namespace Grid.Grains.Matching;

/// <summary>
/// One side of the book: price levels best first (bids descending, asks ascending), each a FIFO
/// queue so equal prices fill in time order.
/// </summary>
internal sealed class BookSide
{
    private readonly SortedDictionary<long, LinkedList<RestingEntry>> _levels;

    public BookSide(Side side)
    {
        Side = side;
        _levels = side == Side.Buy
            ? new SortedDictionary<long, LinkedList<RestingEntry>>(
                Comparer<long>.Create(static (a, b) => b.CompareTo(a)))
            : new SortedDictionary<long, LinkedList<RestingEntry>>();
    }

    public Side Side { get; }

    public IEnumerable<KeyValuePair<long, LinkedList<RestingEntry>>> Levels => _levels;

    public bool TryGetBest(out LinkedList<RestingEntry> level)
    {
        foreach (var pair in _levels)
        {
            level = pair.Value;
            return true;
        }
        level = null!;
        return false;
    }

    public long? BestPrice => TryGetBest(out var level) ? level.First!.Value.Price : null;

    /// <summary>True when an order on the other side at <paramref name="limit"/> would trade at
    /// <paramref name="price"/> on this side; a null limit is a market order.</summary>
    public bool IsMatchable(long price, long? limit) =>
        limit is null || (Side == Side.Sell ? price <= limit : price >= limit);

    public void Append(RestingEntry entry)
    {
        if (!_levels.TryGetValue(entry.Price, out var level))
        {
            level = new LinkedList<RestingEntry>();
            _levels.Add(entry.Price, level);
        }
        entry.Node = level.AddLast(entry);
    }

    public void Remove(RestingEntry entry)
    {
        var level = _levels[entry.Price];
        level.Remove(entry.Node!);
        entry.Node = null;
        if (level.Count == 0)
            _levels.Remove(entry.Price);
    }

    /// <summary>Open quantity an incoming order at <paramref name="limit"/> could take, counted
    /// only up to <paramref name="needed"/> so a fill-or-kill check stops early.</summary>
    public long MatchableQuantity(long? limit, long needed)
    {
        long total = 0;
        foreach (var (price, level) in _levels)
        {
            if (!IsMatchable(price, limit))
                break;
            foreach (var entry in level)
            {
                total += entry.RemainingQuantity;
                if (total >= needed)
                    return total;
            }
        }
        return total;
    }

    public List<DepthLevel> Depth(int levels)
    {
        var result = new List<DepthLevel>(Math.Min(levels, _levels.Count));
        foreach (var (price, level) in _levels)
        {
            if (result.Count == levels)
                break;
            long quantity = 0;
            foreach (var entry in level)
                quantity += entry.RemainingQuantity;
            result.Add(new DepthLevel(price, quantity, level.Count));
        }
        return result;
    }

    public List<RestingOrder> InPriorityOrder()
    {
        var result = new List<RestingOrder>();
        foreach (var (_, level) in _levels)
        {
            foreach (var entry in level)
                result.Add(entry.ToView());
        }
        return result;
    }
}
