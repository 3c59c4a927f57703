using System.Globalization;
using Grid.Grains.Accounts;

namespace Grid.Client.Accounts;

/// <summary>
/// Money accounts: one <see cref="IAccountGrain"/> per account id. Amounts are whole minor units.
/// Deposits and transfers are idempotent by their id; without one the client generates a GUID,
/// returned in the result so that a caller can retry with it.
/// </summary>
public sealed class GridAccounts
{
    /// <summary>History entries returned when the caller does not say.</summary>
    public const int DefaultHistory = 20;

    private readonly IGrainFactory _grains;

    public GridAccounts(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

    /// <summary>Opens the account (a no-op if open) and returns its view.</summary>
    public Task<AccountView> OpenAsync(string accountId)
    {
        GridValidation.AccountId(accountId, nameof(accountId));
        return Grain(accountId).Open();
    }

    /// <summary>
    /// Adds <paramref name="amount"/> once per <paramref name="depositId"/> (a new GUID when null).
    /// </summary>
    public async Task<DepositResult> DepositAsync(
        string accountId, long amount, string? depositId = null)
    {
        GridValidation.AccountId(accountId, nameof(accountId));
        GridValidation.Amount(amount, nameof(amount));
        depositId ??= NewOperationId();
        GridValidation.OperationId(depositId, nameof(depositId));
        var balance = await Grain(accountId).Deposit(depositId, amount).ConfigureAwait(false);
        return new DepositResult(depositId, balance);
    }

    /// <summary>
    /// Moves <paramref name="amount"/> from <paramref name="fromAccount"/> to
    /// <paramref name="toAccount"/> once per <paramref name="transferId"/> (a new GUID when null).
    /// A refusal (insufficient funds, unknown account) is a result, not an exception.
    /// </summary>
    public Task<TransferResult> TransferAsync(
        string fromAccount, string toAccount, long amount, string? transferId = null)
    {
        GridValidation.AccountId(fromAccount, nameof(fromAccount));
        GridValidation.AccountId(toAccount, nameof(toAccount));
        if (string.Equals(fromAccount, toAccount, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"a transfer needs two different accounts, not '{fromAccount}' twice",
                nameof(toAccount));
        }

        GridValidation.Amount(amount, nameof(amount));
        transferId ??= NewOperationId();
        GridValidation.OperationId(transferId, nameof(transferId));
        return Grain(fromAccount).Transfer(transferId, toAccount, amount);
    }

    public Task<long> BalanceAsync(string accountId)
    {
        GridValidation.AccountId(accountId, nameof(accountId));
        return Grain(accountId).GetBalance();
    }

    /// <summary>The most recent entries, newest last.</summary>
    public Task<IReadOnlyList<AccountEntry>> HistoryAsync(
        string accountId, int max = DefaultHistory)
    {
        GridValidation.AccountId(accountId, nameof(accountId));
        GridValidation.Count(max, nameof(max));
        return Grain(accountId).GetHistory(max);
    }

    /// <summary>Balance, money in flight and recent history in one call.</summary>
    public Task<AccountView> ViewAsync(string accountId)
    {
        GridValidation.AccountId(accountId, nameof(accountId));
        return Grain(accountId).GetState();
    }

    private static string NewOperationId() =>
        Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    private IAccountGrain Grain(string accountId) => _grains.GetGrain<IAccountGrain>(accountId);
}
