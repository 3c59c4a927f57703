namespace Grid.Grains.Common;

/// <summary>
/// An engine invariant does not hold: a bug, never bad input. Always on (STYLE.md, lesson 7), so a
/// crossed book or an overfill stops the operation instead of corrupting grain state.
/// </summary>
public sealed class InvariantViolationException : Exception
{
    public InvariantViolationException(string message)
        : base(message)
    {
    }
}
