namespace Grid.Grains.Matching;

/// <summary>
/// One fill between an incoming (aggressor) order and a resting order. The price is always the
/// resting order's: the aggressor accepted any price at least that good.
/// </summary>
[GenerateSerializer]
[Alias("grid.trade")]
[Immutable]
public sealed record Trade(
    long TradeId,
    long AggressorOrderId,
    long RestingOrderId,
    long Price,
    long Quantity,
    Side AggressorSide);
