namespace Grid.Grains.Matching;

/// <summary>
/// The outcome of a submit, cancel or replace: business outcomes are values, not exceptions.
/// For an accepted operation <c>FilledQuantity + RemainingQuantity + CancelledQuantity ==
/// Quantity</c>, where <see cref="FilledQuantity"/> is cumulative over the order's life,
/// <see cref="RemainingQuantity"/> is what rests in the book afterwards and
/// <see cref="CancelledQuantity"/> is what this operation cancelled. <see cref="Trades"/> are the
/// fills made by this operation, and <see cref="MatchedOrders"/> the resting orders they touched,
/// as they stand afterwards (a filled one has left the book).
/// </summary>
[GenerateSerializer]
[Alias("grid.order-result")]
[Immutable]
public sealed record OrderResult(
    long OrderId,
    OrderStatus Status,
    RejectReason RejectReason,
    long Quantity,
    long FilledQuantity,
    long RemainingQuantity,
    long CancelledQuantity,
    IReadOnlyList<Trade> Trades,
    IReadOnlyList<RestingOrder> MatchedOrders)
{
    public bool Accepted => Status != OrderStatus.Rejected;

    internal static OrderResult Rejected(long orderId, RejectReason reason) =>
        new(orderId, OrderStatus.Rejected, reason, 0, 0, 0, 0, [], []);
}
