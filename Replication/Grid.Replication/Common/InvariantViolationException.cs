namespace Grid.Replication.Common;

/// <summary>
/// A protocol invariant does not hold: a bug, never bad input. Always on (STYLE.md, lesson 7);
/// the message cites the spec section whose argument broke.
/// </summary>
public sealed class InvariantViolationException : Exception
{
    public InvariantViolationException(string message)
        : base(message)
    {
    }
}
