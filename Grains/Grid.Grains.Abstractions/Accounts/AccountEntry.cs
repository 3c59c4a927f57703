namespace Grid.Grains.Accounts;

/// <summary>One line of an account's history. <see cref="Amount"/> is signed: debits are negative.</summary>
[GenerateSerializer]
[Alias("grid.account-entry")]
[Immutable]
public sealed record AccountEntry(
    AccountEntryKind Kind,
    string OperationId,
    string? Counterparty,
    long Amount,
    long BalanceAfter,
    DateTimeOffset At);
