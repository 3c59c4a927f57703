namespace Grid.Grains.Matching;

/// <summary>One price level of a depth snapshot: open quantity and order count there.</summary>
[GenerateSerializer]
[Alias("grid.depth-level")]
[Immutable]
public sealed record DepthLevel(long Price, long Quantity, int OrderCount);
