namespace Grid.Grains.Matching;

/// <summary>The top price levels of each side, best price first.</summary>
[GenerateSerializer]
[Alias("grid.book-depth")]
[Immutable]
public sealed record BookDepth(IReadOnlyList<DepthLevel> Bids, IReadOnlyList<DepthLevel> Asks);
