namespace Grid.Grains.Accounts;

/// <summary>An outbox entry: a debited credit and the account it is owed to.</summary>
[GenerateSerializer]
[Alias("grid.pending-credit")]
public sealed class PendingCredit
{
    [Id(0)]
    public string ToAccount { get; set; } = "";

    [Id(1)]
    public TransferCredit Credit { get; set; } = null!;
}
