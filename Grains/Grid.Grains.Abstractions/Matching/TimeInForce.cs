namespace Grid.Grains.Matching;

/// <summary>How long the unfilled part of an order lives.</summary>
[GenerateSerializer]
[Alias("grid.tif")]
public enum TimeInForce
{
    /// <summary>Rests in the book until filled, cancelled or replaced.</summary>
    GoodTillCancel,

    /// <summary>Fills what it can now; the rest is cancelled.</summary>
    ImmediateOrCancel,

    /// <summary>Fills entirely now or not at all; a kill leaves the book untouched.</summary>
    FillOrKill,
}
