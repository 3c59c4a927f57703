namespace Grid.Grains.Accounts;

/// <summary>
/// A credit travelling from a source account's outbox. <see cref="Sequence"/> numbers the source's
/// outgoing transfers 1, 2, 3…; the receiver remembers the highest it applied per source, so a
/// redelivery after a crash is recognised and ignored.
/// </summary>
[GenerateSerializer]
[Alias("grid.transfer-credit")]
[Immutable]
public sealed record TransferCredit(string FromAccount, long Sequence, string TransferId, long Amount);
