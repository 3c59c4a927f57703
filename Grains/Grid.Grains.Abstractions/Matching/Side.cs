namespace Grid.Grains.Matching;

/// <summary>The side of an order: buyers rest as bids, sellers as asks.</summary>
[GenerateSerializer]
[Alias("grid.side")]
public enum Side
{
    Buy,
    Sell,
}
