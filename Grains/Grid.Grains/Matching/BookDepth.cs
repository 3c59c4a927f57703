namespace Grid.Grains.Matching;

/// <summary>The top price levels of each side, best price first.</summary>
public sealed record BookDepth(IReadOnlyList<DepthLevel> Bids, IReadOnlyList<DepthLevel> Asks);
