namespace Grid.Testing.Linearizability;

/// <summary>The verdict of <see cref="LinearizabilityChecker.Check"/>.</summary>
/// <param name="IsLinearizable">True when every key's sub-history is linearizable.</param>
/// <param name="TimedOut">
/// True when the budget ran out before a verdict; <see cref="IsLinearizable"/> is then false and
/// the caller decides whether that fails the test.
/// </param>
/// <param name="FailingKey">
/// The key whose sub-history is not linearizable, or whose search ran out of budget; null when
/// linearizable.
/// </param>
/// <param name="Explanation">
/// Human-readable detail: for a failing key its operations in call order, one per line, and the
/// longest linearizable prefix the search found.
/// </param>
public sealed record LinearizabilityResult(
    bool IsLinearizable,
    bool TimedOut,
    string? FailingKey,
    string Explanation)
{
    /// <summary>The explanation, so an assertion message or a log line shows the history.</summary>
    public override string ToString() => Explanation;
}
