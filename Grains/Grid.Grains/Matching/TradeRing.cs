namespace Grid.Grains.Matching;

/// <summary>The last <c>capacity</c> trades; older ones are overwritten so memory stays bounded.
/// </summary>
internal sealed class TradeRing
{
    private readonly Trade[] _trades;
    private int _start;
    private int _count;

    public TradeRing(int capacity)
    {
        _trades = new Trade[capacity];
    }

    public int Capacity => _trades.Length;

    public void Add(Trade trade)
    {
        if (_count < _trades.Length)
        {
            _trades[(_start + _count) % _trades.Length] = trade;
            _count++;
            return;
        }
        _trades[_start] = trade;
        _start = (_start + 1) % _trades.Length;
    }

    /// <summary>Oldest first.</summary>
    public List<Trade> ToList()
    {
        var result = new List<Trade>(_count);
        for (var i = 0; i < _count; i++)
            result.Add(_trades[(_start + i) % _trades.Length]);
        return result;
    }
}
