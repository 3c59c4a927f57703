using Grid.Grains.Common;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Serialization.Invocation;

namespace Grid.Grains.Accounts;

/// <summary>
/// A money account (see <see cref="IAccountGrain"/>) that moves money with a durable, idempotent
/// outbox.
/// </summary>
/// <remarks>
/// <para><b>Why an outbox and not Orleans transactions.</b> Orleans transactions run two-phase
/// commit over <c>ITransactionalStateStorage</c>, which must store each participant's record with
/// compare-and-set on its ETag so that prepare and commit records cannot be overwritten by a
/// stale writer. The <c>swarm</c> storage is a replicated register: SWARM gives linearizable reads
/// and writes but cannot compare-and-set across replicas without consensus (DESIGN.md, "Which
/// engine for which grain"), so it cannot back a transaction log. A transfer only needs one atomic
/// write of one grain: the debit, the outbox entry holding the credit and the idempotency record
/// are in one state record, written by the single activation of the account. Delivery is then at
/// least once, and the receiver makes it exactly once.</para>
/// <para><b>Protocol.</b> Each outgoing credit gets the next sequence of this account. The receiver
/// applies a credit iff its sequence is above the highest it applied from this source
/// (<see cref="AccountState.AppliedFrom"/>), persists, and only then acknowledges; the sender drops
/// the outbox entry on the acknowledgement. Credits to one receiver are delivered one at a time
/// in sequence order (a transfer turn or a timer tick does it, and those never interleave), so a
/// redelivery is always recognised. Money is therefore always in exactly one balance or one
/// outbox, and the sum over accounts of balance plus outbox only changes by deposits.</para>
/// <para><b>Failures.</b> A failed state write leaves storage holding either the old or the new
/// record, so the activation stops serving and deactivates (<see cref="GuardedState{TState}"/>);
/// the next call re-reads storage. A crash after the debit write leaves the credit in the stored
/// outbox: retrying the transfer id delivers it before answering, and any activation with a
/// non-empty outbox retries delivery on a grain timer with exponential backoff
/// (<see cref="RedeliveryDelayMin"/> to <see cref="RedeliveryDelayMax"/>) until it is empty. Money
/// stays in the outbox until then; nothing is lost, but an account nobody calls after a crash
/// keeps its credits pending (a reminder would remove that wait; it needs a reminder service).
/// </para>
/// <para><b>Idempotency window.</b> The last <see cref="RecentOperationCountMax"/> deposit and
/// transfer ids are remembered with their outcomes; a retry within that window returns the first
/// outcome, and reusing an id for different arguments is rejected. An id older than the window is
/// a new operation. Credits are deduplicated by sequence, without a window.</para>
/// <para><b>Concurrency.</b> The grain is not reentrant, except that <see cref="Credit"/> and the
/// read-only calls may interleave (<see cref="MayInterleave"/>). Without that, two accounts
/// transferring to each other at once would each wait for the other's turn to end (a
/// wait-for cycle that only the call timeout breaks). Interleaving is safe because every state
/// change is synchronous between awaits, so any write stores a consistent record, and every
/// acknowledgement or result is given after a successful write that contains it. A read that
/// interleaves with a write may see its state before it is durable; the destination check uses
/// <see cref="AccountView.IsOpen"/>, which only reports an open that was written.</para>
/// </remarks>
[GrainType("account")]
[MayInterleave(nameof(MayInterleave))]
public sealed partial class AccountGrain : Grain, IAccountGrain
{
    /// <summary>The longest deposit or transfer id, and the longest account id.</summary>
    public const int OperationIdLengthMax = 128;

    /// <summary>
    /// The idempotency window: operation ids remembered, the oldest evicted first.
    /// </summary>
    public const int RecentOperationCountMax = 1000;

    /// <summary>History entries kept, the oldest dropped first.</summary>
    public const int HistoryCountMax = 200;

    /// <summary>The most entries <see cref="GetHistory"/> returns at once.</summary>
    public const int HistoryQueryMax = 1000;

    /// <summary>
    /// Undelivered credits an account may hold; a transfer beyond it is refused with an
    /// exception (nothing moves) until deliveries catch up.
    /// </summary>
    public const int PendingCreditCountMax = 1000;

    /// <summary>Destinations remembered as open (accounts never close), per activation.</summary>
    private const int KnownOpenCountMax = 1024;

    /// <summary>The first redelivery delay; it doubles after each failed round.</summary>
    public static readonly TimeSpan RedeliveryDelayMin = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan RedeliveryDelayMax = TimeSpan.FromSeconds(10);

    private readonly GuardedState<AccountState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountGrain> _logger;
    private readonly Dictionary<string, AccountOperation> _operations =
        new(StringComparer.Ordinal);
    private readonly HashSet<string> _knownOpen = new(StringComparer.Ordinal);
    private IGrainTimer? _redeliveryTimer;
    private TimeSpan _redeliveryDelay = RedeliveryDelayMin;

    /// <summary>
    /// True once an open is durable; what <see cref="AccountView.IsOpen"/> reports.
    /// </summary>
    private bool _openWritten;

    public AccountGrain(
        [PersistentState("account", GridStorage.Name)] IPersistentState<AccountState> state,
        TimeProvider time,
        ILogger<AccountGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        AccountId = this.GetPrimaryKeyString();
        _state = new GuardedState<AccountState>(state, $"account/{AccountId}", DeactivateOnIdle);
        _time = time;
        _logger = logger;
    }

    private string AccountId { get; }

    /// <summary>
    /// The calls that may run while another call of this account awaits: the credit (it calls
    /// nobody, so it cannot close a wait-for cycle) and the reads.
    /// </summary>
    public static bool MayInterleave(IInvokable request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.GetMethodName() is nameof(Credit) or nameof(GetState)
            or nameof(GetBalance) or nameof(GetHistory);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var state = _state.State;
        foreach (var operation in state.RecentOperations)
            _operations[operation.OperationId] = operation;
        _openWritten = state.IsOpen;
        CheckInvariants(state);
        if (state.Outbox.Count > 0)
            StartRedelivery();
        return Task.CompletedTask;
    }

    public async Task<AccountView> Open()
    {
        _state.ThrowIfSuspect();
        // An account's id travels in every transfer to it (validated there), so one too long to
        // be a transfer destination must not be opened and funded in the first place.
        ValidateId(this.GetPrimaryKeyString(), "accountId");
        if (!_state.State.IsOpen)
        {
            _state.State.IsOpen = true;
            await _state.WriteAsync();
        }
        _openWritten = true;
        return View();
    }

    public async Task<long> Deposit(string depositId, long amount)
    {
        ValidateId(depositId, nameof(depositId));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        _state.ThrowIfSuspect();
        if (_operations.TryGetValue(depositId, out var seen))
        {
            EnsureSameOperation(seen, AccountEntryKind.Deposit, null, amount);
            return seen.BalanceAfter;
        }

        var state = _state.State;
        if (!state.IsOpen)
        {
            throw new InvalidOperationException(
                $"Account '{AccountId}' is not open; open it before depositing.");
        }
        if (amount > long.MaxValue - state.Balance)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount,
                $"Depositing {amount} would overflow the balance of account '{AccountId}' "
                + $"({state.Balance}).");
        }
        state.Balance += amount;
        var balanceAfter = state.Balance;
        Remember(new AccountOperation
        {
            OperationId = depositId,
            Kind = AccountEntryKind.Deposit,
            Amount = amount,
            Status = TransferStatus.Completed,
            BalanceAfter = balanceAfter,
        });
        AddHistory(AccountEntryKind.Deposit, depositId, null, amount, balanceAfter);
        CheckInvariants(state);
        await _state.WriteAsync();
        return balanceAfter;
    }

    public async Task<TransferResult> Transfer(string transferId, string toAccount, long amount)
    {
        ValidateId(transferId, nameof(transferId));
        ValidateId(toAccount, nameof(toAccount));
        if (string.Equals(toAccount, AccountId, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Account '{AccountId}' cannot transfer to itself.", nameof(toAccount));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        _state.ThrowIfSuspect();

        if (_operations.TryGetValue(transferId, out var seen))
        {
            EnsureSameOperation(seen, AccountEntryKind.TransferOut, toAccount, amount);
            // A retry after a crash or a failed delivery finishes the delivery first, so
            // Completed keeps meaning "credited there".
            if (seen.Status == TransferStatus.Completed)
                await DeliverAsync(toAccount, seen.Sequence);
            return ResultOf(seen);
        }

        var state = _state.State;
        if (!state.IsOpen)
            return await RejectAsync(transferId, toAccount, amount, TransferStatus.AccountNotOpen);
        if (!await IsOpenAccountAsync(toAccount))
        {
            return await RejectAsync(transferId, toAccount, amount,
                TransferStatus.UnknownDestination);
        }
        // Only credits interleaved with the await above; they never lower the balance.
        _state.ThrowIfSuspect();
        if (state.Balance < amount)
        {
            return await RejectAsync(transferId, toAccount, amount,
                TransferStatus.InsufficientFunds);
        }
        if (state.Outbox.Count >= PendingCreditCountMax)
        {
            throw new InvalidOperationException(
                $"Account '{AccountId}' has {state.Outbox.Count} undelivered credits (the limit "
                + $"is {PendingCreditCountMax}); nothing moved, retry later.");
        }

        // The debit, the outbox entry and the idempotency record: one write.
        var sequence = state.NextOutgoingSequence;
        state.Balance -= amount;
        state.NextOutgoingSequence = sequence + 1;
        state.Outbox.Add(new PendingCredit
        {
            ToAccount = toAccount,
            Credit = new TransferCredit(AccountId, sequence, transferId, amount),
        });
        var operation = Remember(new AccountOperation
        {
            OperationId = transferId,
            Kind = AccountEntryKind.TransferOut,
            Counterparty = toAccount,
            Amount = amount,
            Status = TransferStatus.Completed,
            BalanceAfter = state.Balance,
            Sequence = sequence,
        });
        AddHistory(AccountEntryKind.TransferOut, transferId, toAccount, -amount, state.Balance);
        CheckInvariants(state);
        await _state.WriteAsync();

        await DeliverAsync(toAccount, sequence);
        return ResultOf(operation);
    }

    public async Task Credit(TransferCredit credit)
    {
        ArgumentNullException.ThrowIfNull(credit);
        ValidateId(credit.FromAccount, nameof(credit));
        ValidateId(credit.TransferId, nameof(credit));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credit.Amount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credit.Sequence);
        if (string.Equals(credit.FromAccount, AccountId, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Account '{AccountId}' cannot credit itself.", nameof(credit));
        }
        _state.ThrowIfSuspect();

        var state = _state.State;
        if (!state.IsOpen)
        {
            // Transfer checks that the destination is open and accounts never close, so this is
            // a bug. Refusing keeps the money in the sender's outbox instead of losing it.
            throw new InvalidOperationException(
                $"Bug: credit {credit.Sequence} from '{credit.FromAccount}' reached account "
                + $"'{AccountId}', which is not open. The sender keeps it in its outbox.");
        }
        var applied = state.AppliedFrom.GetValueOrDefault(credit.FromAccount);
        if (credit.Sequence > applied)
        {
            if (credit.Amount > long.MaxValue - state.Balance)
            {
                throw new OverflowException(
                    $"Credit {credit.Sequence} from '{credit.FromAccount}' of {credit.Amount} "
                    + $"would overflow the balance of account '{AccountId}' ({state.Balance}); "
                    + "the sender keeps it in its outbox.");
            }
            state.Balance += credit.Amount;
            state.AppliedFrom[credit.FromAccount] = credit.Sequence;
            AddHistory(AccountEntryKind.TransferIn, credit.TransferId, credit.FromAccount,
                credit.Amount, state.Balance);
            CheckInvariants(state);
        }
        // A duplicate is written too: the first delivery's write may still be in flight, and
        // the sender forgets the credit once this call returns, so the credit must be durable.
        await _state.WriteAsync();
    }

    public Task<long> GetBalance()
    {
        _state.ThrowIfSuspect();
        return Task.FromResult(_state.State.Balance);
    }

    public Task<IReadOnlyList<AccountEntry>> GetHistory(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, HistoryQueryMax);
        _state.ThrowIfSuspect();
        var history = _state.State.History;
        var count = Math.Min(max, history.Count);
        IReadOnlyList<AccountEntry> newest = history.GetRange(history.Count - count, count);
        return Task.FromResult(newest);
    }

    public Task<AccountView> GetState()
    {
        _state.ThrowIfSuspect();
        return Task.FromResult(View());
    }

    private AccountView View()
    {
        var state = _state.State;
        return new AccountView(AccountId, _openWritten, state.Balance, InFlight(state),
            state.Outbox.Count, state.History.ToArray());
    }

    private static long InFlight(AccountState state)
    {
        long sum = 0;
        foreach (var pending in state.Outbox)
            sum = checked(sum + pending.Credit.Amount);
        return sum;
    }

    private async Task<TransferResult> RejectAsync(
        string transferId, string toAccount, long amount, TransferStatus status)
    {
        var operation = Remember(new AccountOperation
        {
            OperationId = transferId,
            Kind = AccountEntryKind.TransferOut,
            Counterparty = toAccount,
            Amount = amount,
            Status = status,
            BalanceAfter = _state.State.Balance,
        });
        await _state.WriteAsync();
        return ResultOf(operation);
    }

    private static TransferResult ResultOf(AccountOperation operation) =>
        new(operation.OperationId, operation.Status, operation.BalanceAfter);

    /// <summary>
    /// Asks the destination whether it is open; a yes is remembered (accounts never close).
    /// </summary>
    private async Task<bool> IsOpenAccountAsync(string accountId)
    {
        if (_knownOpen.Contains(accountId))
            return true;
        var view = await GrainFactory.GetGrain<IAccountGrain>(accountId).GetState();
        if (view.IsOpen)
        {
            if (_knownOpen.Count >= KnownOpenCountMax)
                _knownOpen.Clear();
            _knownOpen.Add(accountId);
        }
        return view.IsOpen;
    }

    private AccountOperation Remember(AccountOperation operation)
    {
        var recent = _state.State.RecentOperations;
        if (recent.Count >= RecentOperationCountMax)
        {
            _operations.Remove(recent[0].OperationId);
            recent.RemoveAt(0);
        }
        recent.Add(operation);
        _operations.Add(operation.OperationId, operation);
        return operation;
    }

    private void AddHistory(
        AccountEntryKind kind, string operationId, string? counterparty, long amount,
        long balanceAfter)
    {
        var history = _state.State.History;
        if (history.Count >= HistoryCountMax)
            history.RemoveAt(0);
        history.Add(new AccountEntry(kind, operationId, counterparty, amount, balanceAfter,
            _time.GetUtcNow()));
    }

    private void EnsureSameOperation(
        AccountOperation seen, AccountEntryKind kind, string? counterparty, long amount)
    {
        if (seen.Kind != kind || seen.Amount != amount
            || !string.Equals(seen.Counterparty, counterparty, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Operation id '{seen.OperationId}' of account '{AccountId}' was already used for "
                + $"a {seen.Kind} of {seen.Amount}"
                + (seen.Counterparty is null ? "" : $" to '{seen.Counterparty}'")
                + "; a retry must repeat the same arguments.");
        }
    }

    private static void ValidateId(string id, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id, parameterName);
        if (id.Length > OperationIdLengthMax)
        {
            throw new ArgumentException(
                $"The id is {id.Length} characters; the limit is {OperationIdLengthMax}.",
                parameterName);
        }
    }

    /// <summary>Safety properties every state change must keep (STYLE.md, lesson 7).</summary>
    /// A violation also gives up the in-memory state, so the broken change is never written.
    private void CheckInvariants(AccountState state)
    {
        var violation = FindViolation(state);
        if (violation is null)
            return;
        _state.MarkSuspect(violation);
        throw new InvariantViolationException($"Account '{AccountId}': {violation}.");
    }

    private static string? FindViolation(AccountState state)
    {
        if (state.Balance < 0)
            return $"balance {state.Balance} is negative";
        long previous = 0;
        foreach (var pending in state.Outbox)
        {
            var sequence = pending.Credit.Sequence;
            if (sequence <= previous || sequence >= state.NextOutgoingSequence
                || pending.Credit.Amount <= 0)
            {
                return $"outbox entry {sequence} is out of order or invalid";
            }
            previous = sequence;
        }
        if (state.RecentOperations.Count > RecentOperationCountMax
            || state.History.Count > HistoryCountMax)
        {
            return "the operation window or the history exceeds its bound";
        }
        return null;
    }
}
