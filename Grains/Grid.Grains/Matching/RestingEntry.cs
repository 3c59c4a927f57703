namespace Grid.Grains.Matching;

/// <summary>
/// The mutable book entry behind a <see cref="RestingOrder"/> view. It keeps its list node so a
/// cancel removes it in O(1) without a scan of its price level.
/// </summary>
internal sealed class RestingEntry
{
    public RestingEntry(
        long orderId, Side side, long price, long quantity, long filled, long sequence)
    {
        OrderId = orderId;
        Side = side;
        Price = price;
        Quantity = quantity;
        FilledQuantity = filled;
        Sequence = sequence;
    }

    public long OrderId { get; }

    public Side Side { get; }

    public long Price { get; set; }

    public long Quantity { get; set; }

    public long FilledQuantity { get; set; }

    public long Sequence { get; set; }

    public LinkedListNode<RestingEntry>? Node { get; set; }

    public long RemainingQuantity => Quantity - FilledQuantity;

    public RestingOrder ToView() => new(OrderId, Side, Price, Quantity, FilledQuantity, Sequence);
}
