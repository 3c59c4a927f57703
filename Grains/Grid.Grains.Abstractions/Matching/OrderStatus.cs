namespace Grid.Grains.Matching;

/// <summary>The state of an order after an operation.</summary>
[GenerateSerializer]
[Alias("grid.order-status")]
public enum OrderStatus
{
    /// <summary>Resting with nothing filled yet.</summary>
    New,

    /// <summary>Resting with part filled.</summary>
    PartiallyFilled,

    /// <summary>Fully filled; no longer in the book.</summary>
    Filled,

    /// <summary>The remainder was cancelled: explicitly, by IOC/FOK/market rules or a replace.
    /// </summary>
    Cancelled,

    /// <summary>The operation was refused; see <see cref="RejectReason"/>.</summary>
    Rejected,
}
