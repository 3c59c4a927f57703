namespace Grid.Grains.Matching;

/// <summary>
/// Why an operation was refused. Append-only: the value becomes part of grain results.
/// </summary>
[GenerateSerializer]
[Alias("grid.reject-reason")]
public enum RejectReason
{
    None = 0,

    /// <summary>An order with this id is already resting in the book.</summary>
    DuplicateOrderId = 1,

    /// <summary>No resting order has this id (never existed, filled or cancelled).</summary>
    UnknownOrderId = 2,
}
