namespace Grid.Grains.Matching;

/// <summary>
/// A view of an order in the book. <see cref="Quantity"/> is the current order quantity (after
/// any replace); <see cref="Sequence"/> is its time priority, renewed when a replace loses it.
/// </summary>
[GenerateSerializer]
[Alias("grid.resting-order")]
[Immutable]
public sealed record RestingOrder(
    long OrderId,
    Side Side,
    long Price,
    long Quantity,
    long FilledQuantity,
    long Sequence)
{
    /// <summary>The open quantity still in the book; zero once filled.</summary>
    public long RemainingQuantity => Quantity - FilledQuantity;

    /// <summary>The status this view implies (a removed, filled order reports Filled).</summary>
    public OrderStatus Status =>
        RemainingQuantity == 0 ? OrderStatus.Filled
        : FilledQuantity > 0 ? OrderStatus.PartiallyFilled
        : OrderStatus.New;
}
