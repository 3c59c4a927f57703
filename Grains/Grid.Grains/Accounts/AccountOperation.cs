namespace Grid.Grains.Accounts;

/// <summary>
/// The remembered outcome of a deposit or transfer id, so a retry gets the first answer. The
/// arguments are kept too: reusing an id for a different operation is a caller bug.
/// </summary>
[GenerateSerializer]
[Alias("grid.account-operation")]
public sealed class AccountOperation
{
    [Id(0)]
    public string OperationId { get; set; } = "";

    /// <summary>
    /// <see cref="AccountEntryKind.Deposit"/> or <see cref="AccountEntryKind.TransferOut"/>.
    /// </summary>
    [Id(1)]
    public AccountEntryKind Kind { get; set; }

    /// <summary>The destination of a transfer; null for a deposit.</summary>
    [Id(2)]
    public string? Counterparty { get; set; }

    [Id(3)]
    public long Amount { get; set; }

    /// <summary>
    /// For a transfer, its status; <see cref="TransferStatus.Completed"/> for a deposit.
    /// </summary>
    [Id(4)]
    public TransferStatus Status { get; set; }

    [Id(5)]
    public long BalanceAfter { get; set; }

    /// <summary>The outbox sequence of a completed transfer; 0 otherwise.</summary>
    [Id(6)]
    public long Sequence { get; set; }
}
