using Grid.Grains.Common;
using Grid.Grains.Matching;

namespace Grid.Grains.Orders;

/// <summary>
/// The order book of one symbol (the grain key) over the <see cref="OrderBook"/> engine. The
/// engine's snapshot is the grain state: every accepted submit, cancel or replace writes it once
/// before returning, so a result the caller sees is durable. Rejections change nothing and write
/// nothing. Bad arguments throw <see cref="ArgumentException"/> from the engine's validation,
/// before the book changes.
/// </summary>
/// <remarks>
/// A whole snapshot per operation costs O(book size) per write; DESIGN.md moves order books to an
/// event-sourced engine later, where each operation appends one log entry.
/// </remarks>
[GrainType("orderbook")]
public sealed class OrderBookGrain : Grain, IOrderBookGrain
{
    /// <summary>The most levels or trades one query returns.</summary>
    public const int QueryMax = 1000;

    /// <summary>Levels and trades in <see cref="GetState"/>.</summary>
    public const int ViewDepth = 10;

    private readonly GuardedState<OrderBookState> _state;
    private readonly string _symbol;
    private OrderBook _book = null!;

    public OrderBookGrain(
        [PersistentState("orderbook", GridStorage.Name)] IPersistentState<OrderBookState> state)
    {
        _symbol = this.GetPrimaryKeyString();
        _state = new GuardedState<OrderBookState>(state, $"orderbook/{_symbol}", DeactivateOnIdle);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var state = _state.State;
        if (!state.Exists)
        {
            _book = new OrderBook(_symbol);
            return Task.CompletedTask;
        }
        if (!string.Equals(state.Symbol, _symbol, StringComparison.Ordinal))
        {
            throw new InvariantViolationException(
                $"Order book '{_symbol}' loaded the state of book '{state.Symbol}'.");
        }
        _book = OrderBook.Restore(state.ToSnapshot());
        return Task.CompletedTask;
    }

    public Task<OrderResult> Submit(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return ApplyAsync(book => book.Submit(order));
    }

    public Task<OrderResult> Cancel(long orderId) => ApplyAsync(book => book.Cancel(orderId));

    public Task<OrderResult> Replace(long orderId, long? newQuantity, long? newPrice) =>
        ApplyAsync(book => book.Replace(orderId, newQuantity, newPrice));

    public Task<BookDepth> GetBook(int levels)
    {
        ValidateQuery(levels, nameof(levels));
        _state.ThrowIfSuspect();
        return Task.FromResult(_book.GetDepth(levels));
    }

    public Task<IReadOnlyList<Trade>> GetTrades(int max)
    {
        ValidateQuery(max, nameof(max));
        _state.ThrowIfSuspect();
        return Task.FromResult<IReadOnlyList<Trade>>(Newest(_book.RecentTrades, max));
    }

    public Task<OrderBookView> GetState()
    {
        _state.ThrowIfSuspect();
        return Task.FromResult(new OrderBookView(_symbol, _book.BestBid, _book.BestAsk,
            _book.OrderCount, _book.GetDepth(ViewDepth), Newest(_book.RecentTrades, ViewDepth)));
    }

    /// <summary>
    /// Runs one engine operation and, if accepted, writes the new snapshot. The engine validates
    /// its arguments before changing anything; an invariant violation or a failed write leaves
    /// the in-memory book suspect, so the activation reloads the last written snapshot.
    /// </summary>
    private async Task<OrderResult> ApplyAsync(Func<OrderBook, OrderResult> operation)
    {
        _state.ThrowIfSuspect();
        OrderResult result;
        try
        {
            result = operation(_book);
        }
        catch (InvariantViolationException exception)
        {
            _state.MarkSuspect(exception.Message);
            throw;
        }
        if (!result.Accepted)
            return result;
        _state.State = OrderBookState.From(_book.ToSnapshot());
        await _state.WriteAsync();
        return result;
    }

    private static void ValidateQuery(int value, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, parameterName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, QueryMax, parameterName);
    }

    private static Trade[] Newest(IReadOnlyList<Trade> oldestFirst, int max)
    {
        var count = Math.Min(max, oldestFirst.Count);
        var newest = new Trade[count];
        for (var i = 0; i < count; i++)
            newest[i] = oldestFirst[oldestFirst.Count - count + i];
        return newest;
    }
}
