namespace Grid.Grains.Accounts;

/// <summary>The outcome of a transfer, the same for every retry with its id.</summary>
[GenerateSerializer]
[Alias("grid.transfer-result")]
[Immutable]
public sealed record TransferResult(string TransferId, TransferStatus Status, long BalanceAfter)
{
    public bool Succeeded => Status == TransferStatus.Completed;
}
