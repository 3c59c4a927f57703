namespace Grid.Grains.Accounts;

/// <summary>
/// The stored record of one account: everything a transfer changes is in this one record, so a
/// debit, its outbox entry and its idempotency record are written together or not at all.
/// </summary>
[GenerateSerializer]
[Alias("grid.account-state")]
public sealed class AccountState
{
    [Id(0)]
    public bool IsOpen { get; set; }

    /// <summary>
    /// Money owned here; never negative. Money in <see cref="Outbox"/> is not in it.
    /// </summary>
    [Id(1)]
    public long Balance { get; set; }

    /// <summary>The sequence the next outgoing transfer gets (1, 2, 3...).</summary>
    [Id(2)]
    public long NextOutgoingSequence { get; set; } = 1;

    /// <summary>
    /// Debited credits not yet acknowledged by their receivers, in sequence order.
    /// </summary>
    [Id(3)]
    public List<PendingCredit> Outbox { get; set; } = [];

    /// <summary>Per source account, the highest credit sequence applied here.</summary>
    [Id(4)]
    public Dictionary<string, long> AppliedFrom { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The last <see cref="AccountGrain.RecentOperationCountMax"/> deposit and transfer ids with
    /// their outcomes, oldest first: the idempotency window.
    /// </summary>
    [Id(5)]
    public List<AccountOperation> RecentOperations { get; set; } = [];

    /// <summary>
    /// The last <see cref="AccountGrain.HistoryCountMax"/> entries, oldest first.
    /// </summary>
    [Id(6)]
    public List<AccountEntry> History { get; set; } = [];
}
