namespace Grid.Grains.Matching;

/// <summary>
/// A limit order trades at its price or better; a market order takes any price and never rests
/// (its unfilled remainder is cancelled, whatever its time in force).
/// </summary>
[GenerateSerializer]
[Alias("grid.order-type")]
public enum OrderType
{
    Limit,
    Market,
}
