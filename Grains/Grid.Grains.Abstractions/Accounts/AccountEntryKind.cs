namespace Grid.Grains.Accounts;

/// <summary>Kinds of history entries. Append-only: values are stored in grain state.</summary>
[GenerateSerializer]
[Alias("grid.account-entry-kind")]
public enum AccountEntryKind
{
    Deposit = 0,
    TransferOut = 1,
    TransferIn = 2,
}
