namespace Grid.Grains.Accounts;

/// <summary>What became of a transfer. Append-only: values are stored in grain state.</summary>
[GenerateSerializer]
[Alias("grid.transfer-status")]
public enum TransferStatus
{
    /// <summary>Debited here and credited there.</summary>
    Completed = 0,
    /// <summary>The balance did not cover the amount; nothing moved.</summary>
    InsufficientFunds = 1,
    /// <summary>The destination account is not open; nothing moved.</summary>
    UnknownDestination = 2,
    /// <summary>This account is not open; nothing moved.</summary>
    AccountNotOpen = 3,
}
