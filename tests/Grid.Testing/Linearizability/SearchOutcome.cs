namespace Grid.Testing.Linearizability;

/// <summary>
/// The verdict on one key and the longest linearizable prefix the search reached, in
/// linearization order, so a failure can show how far a legal order got.
/// </summary>
internal sealed record SearchOutcome(
    SearchVerdict Verdict,
    IReadOnlyList<HistoryOperation> LongestPrefix);
