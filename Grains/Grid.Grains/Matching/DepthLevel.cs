namespace Grid.Grains.Matching;

/// <summary>One price level of a depth snapshot: open quantity and order count there.</summary>
public sealed record DepthLevel(long Price, long Quantity, int OrderCount);
