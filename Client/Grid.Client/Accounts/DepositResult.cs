namespace Grid.Client.Accounts;

/// <summary>
/// An applied deposit: its id (the caller's, or the one the client generated; retry with it to
/// stay idempotent) and the balance right after it.
/// </summary>
public sealed record DepositResult(string DepositId, long BalanceAfter);
