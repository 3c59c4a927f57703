using Microsoft.Extensions.Logging;

namespace Grid.Grains.Accounts;

/// <summary>Outbox delivery: in order per receiver, retried on a timer with backoff.</summary>
public sealed partial class AccountGrain
{
    /// <summary>
    /// Delivers the pending credits owed to <paramref name="toAccount"/>, oldest first, up to and
    /// including <paramref name="throughSequence"/>; each acknowledged one is dropped from the
    /// outbox with a write. Credits to other accounts are left to the timer, so one unreachable
    /// receiver does not hold up transfers to the others. A failed delivery throws (the credit
    /// stays pending and redelivery is scheduled).
    /// </summary>
    private async Task DeliverAsync(string toAccount, long throughSequence)
    {
        var outbox = _state.State.Outbox;
        var receiver = GrainFactory.GetGrain<IAccountGrain>(toAccount);
        // Each round drops one entry, so the loop ends within the outbox's length. Only transfer
        // turns and timer ticks change the outbox, and they never interleave.
        for (var round = outbox.Count; round > 0; round--)
        {
            var next = OldestPendingFor(outbox, toAccount);
            if (next is null || next.Credit.Sequence > throughSequence)
                return;
            try
            {
                await receiver.Credit(next.Credit);
            }
            catch
            {
                if (!_state.IsSuspect)
                    StartRedelivery();
                throw;
            }
            outbox.Remove(next);
            await _state.WriteAsync();
        }
    }

    private static PendingCredit? OldestPendingFor(List<PendingCredit> outbox, string toAccount)
    {
        foreach (var pending in outbox)
        {
            if (string.Equals(pending.ToAccount, toAccount, StringComparison.Ordinal))
                return pending;
        }
        return null;
    }

    /// <summary>
    /// Arms the redelivery timer unless it is armed; it keeps the activation alive.
    /// </summary>
    private void StartRedelivery()
    {
        if (_redeliveryTimer is not null)
            return;
        _redeliveryDelay = RedeliveryDelayMin;
        _redeliveryTimer = this.RegisterGrainTimer(RedeliverAsync,
            new GrainTimerCreationOptions(_redeliveryDelay, Timeout.InfiniteTimeSpan)
            {
                KeepAlive = true,
            });
    }

    /// <summary>
    /// One redelivery round over every receiver with pending credits. Ticks do not interleave
    /// with transfers, so deliveries to a receiver stay in order. The timer is one-shot and
    /// re-armed here: at the minimum delay after progress, doubled (up to the maximum) after a
    /// failure, and disposed once the outbox is empty.
    /// </summary>
    private async Task RedeliverAsync(CancellationToken cancellationToken)
    {
        var failed = false;
        foreach (var toAccount in PendingReceivers())
        {
            if (_state.IsSuspect || cancellationToken.IsCancellationRequested)
                break;
            try
            {
                await DeliverAsync(toAccount, long.MaxValue);
            }
            catch (Exception exception)
            {
                failed = true;
                LogRedeliveryFailed(_logger, exception, AccountId, toAccount, _redeliveryDelay);
            }
        }

        if (_state.IsSuspect || _state.State.Outbox.Count == 0)
        {
            _redeliveryTimer?.Dispose();
            _redeliveryTimer = null;
            return;
        }
        _redeliveryDelay = failed
            ? TimeSpan.FromTicks(Math.Min(_redeliveryDelay.Ticks * 2, RedeliveryDelayMax.Ticks))
            : RedeliveryDelayMin;
        _redeliveryTimer?.Change(_redeliveryDelay, Timeout.InfiniteTimeSpan);
    }

    private List<string> PendingReceivers()
    {
        var receivers = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pending in _state.State.Outbox)
        {
            if (seen.Add(pending.ToAccount))
                receivers.Add(pending.ToAccount);
        }
        return receivers;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Account {AccountId}: delivering credits to {ToAccount} failed; retrying after "
            + "{Delay} or on the next transfer.")]
    private static partial void LogRedeliveryFailed(
        ILogger logger, Exception exception, string accountId, string toAccount, TimeSpan delay);
}
