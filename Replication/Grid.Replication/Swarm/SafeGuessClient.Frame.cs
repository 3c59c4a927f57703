using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

/// <summary>
/// The timestamp frame (README, "Timestamps that never run out"): the cluster's epoch, from which
/// timestamps count, and the refresh mark, when the last refresh over every memory node began,
/// kept in ms after the epoch. Both are header words on every memory node. Keeping the mark
/// relative to the epoch makes a rebase one CAS: moving the epoch forward by the time the
/// cluster went unrefreshed also moves the mark, so the words' ages in the new frame are what
/// they were when refreshes stopped.
/// </summary>
public sealed partial class SafeGuessClient
{
    private long _epochMicros;
    private long _markMs;

    /// <summary>When the last refresh over every memory node began, as this client last read or set it.</summary>
    public DateTimeOffset RefreshMark => EpochTime(Volatile.Read(ref _epochMicros)).AddMilliseconds(Volatile.Read(ref _markMs));

    /// <summary>The cluster's timestamp epoch as this client follows it.</summary>
    internal DateTimeOffset TimestampEpoch => EpochTime(Volatile.Read(ref _epochMicros));

    /// <summary>How long ago <see cref="RefreshMark"/> was, by this client's clock.</summary>
    public TimeSpan SinceRefreshMark => _time.GetUtcNow() - RefreshMark;

    /// <summary>
    /// Refuses a write when no refresh over every memory node has finished for longer than
    /// <see cref="SwarmOptions.TimestampRefreshDeadline"/> (by the cluster's mark, read again
    /// first): an old word could then be taken for a newer one than the write's.
    /// </summary>
    private async Task ThrowIfRefreshOverdueAsync()
    {
        var deadline = _layout.Options.TimestampRefreshDeadline;
        if (SinceRefreshMark <= deadline)
        {
            return;
        }

        await LoadFrameAsync(initialize: false).ConfigureAwait(false);
        if (SinceRefreshMark > deadline)
        {
            throw new SwarmCapacityException(
                $"no timestamp refresh over every memory node has finished since {RefreshMark:u} (the limit is " +
                $"{deadline}): writes wait until one does, which needs every memory node to answer " +
                "(SafeGuessClient.RefreshStaleAsync, run by SwarmKvStore.SweepAsync; README of the Swarm folder)");
        }
    }

    private static DateTimeOffset EpochTime(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    /// <summary>
    /// Reads the frame from a majority and follows it: the largest epoch shown (rebases only
    /// move it forward) and the largest mark. A cluster without an epoch gets this client's
    /// clock (CAS from 0: the first client wins).
    /// </summary>
    private async Task LoadFrameAsync(bool initialize)
    {
        var (call, words) = await ReadFrameAsync().ConfigureAwait(false);
        var epoch = MaxEpoch(call, words);
        if (epoch == 0 && initialize)
        {
            var now = _time.GetUtcNow();
            var mine = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
            var batches = NewBatches();
            for (var i = 0; i < batches.Length; i++)
            {
                batches[i] = new VerbBatch(1);
                batches[i]!.CompareAndSwap(RegionId, SwarmLayout.EpochOffset, 0, (ulong)mine);
            }

            var set = await RoundtripAsync(batches).ConfigureAwait(false);
            for (var i = 0; i < batches.Length; i++)
            {
                if (set.Succeeded[i])
                {
                    var old = (long)batches[i]!.Result(0);
                    epoch = Math.Max(epoch, old == 0 ? mine : old);
                }
            }
        }

        long mark = long.MinValue;
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (call.Succeeded[i])
            {
                mark = Math.Max(mark, (long)BinaryPrimitives.ReadUInt64LittleEndian(words[i].AsSpan(8)));
            }
        }

        Follow(epoch, mark);
    }

    private void Follow(long epoch, long mark)
    {
        lock (_lock)
        {
            if (epoch != _epochMicros)
            {
                _epochMicros = epoch;
                _markMs = mark;
                _reference = new SystemSwarmClock(_time, EpochTime(epoch), _layout.Options.TimestampUnit);
                _clock.SetReference(_reference);
            }
            else
            {
                _markMs = Math.Max(_markMs, mark);
            }
        }
    }

    private async Task<(QuorumCall Call, byte[][] Words)> ReadFrameAsync()
    {
        var words = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            words[i] = new byte[16];
            batches[i] = new VerbBatch(1);
            batches[i]!.Read(RegionId, SwarmLayout.EpochOffset, words[i]);
        }

        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        return (call, words);
    }

    private long MaxEpoch(QuorumCall call, byte[][] words)
    {
        long epoch = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (call.Succeeded[i])
            {
                epoch = Math.Max(epoch, (long)BinaryPrimitives.ReadUInt64LittleEndian(words[i]));
            }
        }

        return epoch;
    }

    /// <summary>
    /// Before a refresh: when no refresh has finished for longer than
    /// <see cref="SwarmOptions.TimestampRefreshDeadline"/> plus a period (the cluster sat idle,
    /// or a memory node was away), no write has been accepted since the mark passed the
    /// deadline, no refresh of the old frame is still running, and the words are at most
    /// <c>RefreshAge</c> older than the mark; moving the epoch forward by the time past the
    /// deadline keeps them within <c>RefreshAge + Deadline</c> of the present, inside half the
    /// ring, instead of letting real time carry them past it. One CAS per node from the epoch it
    /// holds; two clients rebasing at once move it by nearly the same amount.
    /// </summary>
    private async Task RebaseIfStaleAsync()
    {
        await LoadFrameAsync(initialize: false).ConfigureAwait(false);
        var options = _layout.Options;
        if (SinceRefreshMark <= options.TimestampRefreshDeadline + 2 * options.MaxInFlight + options.TimestampRefreshPeriod)
        {
            return;
        }

        // The new mark is Deadline + MaxInFlight behind now: writes stay refused until a refresh
        // finishes, and that refresh has a whole period before anyone may rebase again.
        var overdue = SinceRefreshMark - options.TimestampRefreshDeadline - options.MaxInFlight;
        if (overdue <= TimeSpan.Zero)
        {
            return;
        }

        var (call, words) = await ReadFrameAsync().ConfigureAwait(false);
        var epoch = MaxEpoch(call, words);
        if (epoch != _epochMicros)
        {
            // Moved meanwhile: follow it, and judge again next time.
            Follow(epoch, _markMs);
            return;
        }

        var target = epoch + (overdue.Ticks / 10);
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            var held = call.Succeeded[i] ? BinaryPrimitives.ReadUInt64LittleEndian(words[i]) : (ulong)epoch;
            if ((long)held < target)
            {
                batches[i] = new VerbBatch(1);
                batches[i]!.CompareAndSwap(RegionId, SwarmLayout.EpochOffset, held, (ulong)target);
            }
        }

        await RoundtripAsync(batches, Math.Min(Quorum, batches.Count(b => b is not null))).ConfigureAwait(false);
        Counters.Rebase();
        await LoadFrameAsync(initialize: false).ConfigureAwait(false);
    }

    /// <summary>Raises the mark to <paramref name="began"/> (a refresh that began then has finished), by CAS-max on every node.</summary>
    private async Task RaiseMarkAsync(DateTimeOffset began)
    {
        var mark = (long)Math.Floor((began - EpochTime(_epochMicros)).TotalMilliseconds);
        var (call, words) = await ReadFrameAsync().ConfigureAwait(false);
        if (MaxEpoch(call, words) != _epochMicros)
        {
            return; // rebased meanwhile: this refresh ran in the old frame and marks nothing
        }

        var done = new bool[_nodes.Count];
        var expected = new ulong[_nodes.Count];
        for (var i = 0; i < _nodes.Count; i++)
        {
            expected[i] = call.Succeeded[i] ? BinaryPrimitives.ReadUInt64LittleEndian(words[i].AsSpan(8)) : 0;
        }

        for (var round = 0; round < 4 && done.Count(d => d) < Quorum; round++)
        {
            var batches = NewBatches();
            for (var i = 0; i < batches.Length; i++)
            {
                if (!done[i])
                {
                    batches[i] = new VerbBatch(1);
                    batches[i]!.CompareAndSwap(RegionId, SwarmLayout.RefreshMarkOffset, expected[i], (ulong)mark);
                }
            }

            var cas = await RoundtripAsync(batches, done).ConfigureAwait(false);
            for (var i = 0; i < _nodes.Count; i++)
            {
                if (!cas.Succeeded[i] || done[i])
                {
                    continue;
                }

                var old = batches[i]!.Result(0);
                if (old == expected[i] || (long)old >= mark)
                {
                    done[i] = true;
                }
                else
                {
                    expected[i] = old;
                }
            }
        }

        Follow(_epochMicros, mark);
    }
}
