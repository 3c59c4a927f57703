namespace Grid.Grains.Accounts;

/// <summary>
/// A money account; the grain key is the account id. Amounts are integers in minor units (cents)
/// so no rounding ever creates or loses money. Every operation that moves money carries a
/// caller-chosen id and is idempotent by it: retrying after a timeout or a silo crash returns the
/// first outcome instead of moving money twice.
///
/// A transfer debits this account and records the credit in a durable outbox in one state write;
/// the outbox then delivers the credit to the other account, which applies each source's credits
/// once, in order (see <c>AccountGrain</c> in Grid.Grains for why an outbox and not Orleans
/// transactions). Money in flight is always in exactly one outbox or one balance.
/// </summary>
[Alias("grid.account")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Opens the account; opening an open account is a no-op that returns its view.</summary>
    [Alias("open")]
    Task<AccountView> Open();

    /// <summary>Adds <paramref name="amount"/> (&gt; 0) once per <paramref name="depositId"/>; returns the balance after it.</summary>
    [Alias("deposit")]
    Task<long> Deposit(string depositId, long amount);

    /// <summary>
    /// Moves <paramref name="amount"/> (&gt; 0) to <paramref name="toAccount"/> once per
    /// <paramref name="transferId"/>. Never overdraws: an uncovered transfer is rejected, and
    /// the rejection is remembered under its id like a success.
    /// </summary>
    [Alias("transfer")]
    Task<TransferResult> Transfer(string transferId, string toAccount, long amount);

    [Alias("balance")]
    Task<long> GetBalance();

    /// <summary>The most recent entries, newest last (at most <paramref name="max"/>, 1..1000).</summary>
    [Alias("history")]
    Task<IReadOnlyList<AccountEntry>> GetHistory(int max);

    /// <summary>The whole state, for the dashboard's grain-state page.</summary>
    [Alias("state")]
    Task<AccountView> GetState();

    /// <summary>
    /// Account-to-account delivery of a transfer's credit; callers use <see cref="Transfer"/>.
    /// Applied at most once per (source, sequence).
    /// </summary>
    [Alias("credit")]
    Task Credit(TransferCredit credit);
}
