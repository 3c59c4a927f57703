using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>Whether a refresh pass is due: none began in the last <see cref="SwarmOptions.TimestampRefreshPeriod"/> and finished.</summary>
    public bool RefreshDue => SinceRefreshMark >= _layout.Options.TimestampRefreshPeriod;

    /// <summary>
    /// Keeps timestamps from running out (README, "Timestamps that never run out"): scans the
    /// whole index on every memory node and, for each key with a word older than
    /// <see cref="SwarmOptions.TimestampRefreshAge"/>, writes the key's value again under a
    /// recent timestamp when that value is old, then clears the old words below the key's
    /// newest. A pass needs every memory node to answer (a word on a node it skipped could
    /// later be compared with new ones); it is given up otherwise, and tried again at the next
    /// call. Does nothing until a pass is due unless <paramref name="force"/>. Returns the keys
    /// it wrote again. <paramref name="isDeletion"/> tells a value that is a tombstone of the
    /// layer above, so that its entry stays releasable.
    /// </summary>
    public async Task<int> RefreshStaleAsync(Func<byte[], bool>? isDeletion = null, bool force = false)
    {
        ThrowIfFenced();
        if (!force && !RefreshDue)
        {
            return 0;
        }

        // A pass needs every node, so a connection lost during it ends it (README, "Reconnects").
        PinNodes();
        var options = _layout.Options;
        var refreshed = 0;
        DateTimeOffset began;
        try
        {
            await RebaseIfStaleAsync().ConfigureAwait(false);
            if (!force && !RefreshDue)
            {
                return 0; // another writer finished one meanwhile
            }

            // A pass gives up where a rebase may begin (RebaseIfStaleAsync), and after a period.
            began = _time.GetUtcNow();
            var giveUp = Min(began + options.TimestampRefreshPeriod,
                RefreshMark + options.TimestampRefreshDeadline + options.MaxInFlight + options.TimestampRefreshPeriod);
            var now = _ring.Wrap(_reference.Now());
            foreach (var (first, count) in ScanChunks())
            {
                var (batches, images) = ScanBatches(first, count);
                ThrowIfPastGiveUp(giveUp);
                await RoundtripAsync(batches, _nodes.Count).ConfigureAwait(false);
                foreach (var key in KeysWithOldWords(images, count, now))
                {
                    ThrowIfPastGiveUp(giveUp);
                    if (await RefreshKeyAsync(key, isDeletion).ConfigureAwait(false))
                    {
                        refreshed++;
                    }
                }
            }
        }
        catch (Exception e) when (e is QuorumUnavailableException or RefreshGaveUpException)
        {
            Counters.RefreshPass(complete: false);
            return refreshed;
        }

        await RaiseMarkAsync(began).ConfigureAwait(false);
        Counters.RefreshPass(complete: true);
        return refreshed;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private void ThrowIfPastGiveUp(DateTimeOffset giveUp)
    {
        if (_time.GetUtcNow() > giveUp)
        {
            throw new RefreshGaveUpException();
        }
    }

    /// <summary>Unwinds a refresh pass that ran out of time; the next call starts a new one.</summary>
    private sealed class RefreshGaveUpException : Exception;

    /// <summary>The key hashes of a chunk of buckets that have a word older than the refresh age on some node.</summary>
    private SortedSet<ulong> KeysWithOldWords(byte[][] images, int buckets, ulong now)
    {
        var keys = new SortedSet<ulong>();
        var age = RefreshAgeUnits;
        foreach (var image in images)
        {
            for (var at = 0; at < buckets * _layout.DirectoryBytes; at += SwarmLayout.EntryBytes)
            {
                var hash = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at));
                var slot = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at + SwarmLayout.SlotOffsetInEntry));
                var helped = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at + SwarmLayout.HelpedOffsetInEntry));
                if (hash != 0 && (_ring.IsOlderThan(slot, now, age) || _ring.IsOlderThan(helped, now, age)))
                {
                    keys.Add(hash);
                }
            }
        }

        return keys;
    }

    /// <summary>
    /// One key of the refresh: read it with every node in each snapshot (so every word of the
    /// key is seen, and an unfinished one is decided); when the value's word is old, write the
    /// value again under <c>t - D</c>, where t is the reference clock when the read began and D
    /// is past the in-flight bound: every write that lands after the read began has a larger
    /// timestamp and wins, so the rewrite never hides a newer value. Then clear the key's old
    /// words below its newest. Returns whether the value was written again.
    /// </summary>
    private async Task<bool> RefreshKeyAsync(ulong keyHash, Func<byte[], bool>? isDeletion)
    {
        var state = await EnterAsync(keyHash).ConfigureAwait(false);
        try
        {
            var began = _ring.Wrap(_reference.Now());
            await ClearLeftoversAsync(state, began).ConfigureAwait(false);
            SwarmReadResult read;
            try
            {
                read = await ReadEnteredAsync(state, allNodes: true).ConfigureAwait(false);
            }
            catch (InvariantViolationException)
            {
                // The key cannot be read now (spec §2.5 (6) bounds the attempts); neither may this
                // pass count as complete.
                throw new RefreshGaveUpException();
            }

            var value = read.Word;
            if (read.Value is { } bytes && _ring.IsOlderThan(read.Word, began, RefreshAgeUnits))
            {
                var timestamp = _ring.Subtract(began, RewriteLagUnits);
                var rewrite = await RewriteAsync(state, bytes, timestamp).ConfigureAwait(false);
                if (rewrite != 0)
                {
                    value = rewrite;
                    Counters.RefreshedKey();
                    if (isDeletion?.Invoke(bytes) == true)
                    {
                        state.DeletedAt = _time.GetTimestamp();
                    }
                }
            }

            await ClearOldWordsAsync(state, value, began).ConfigureAwait(false);
            return value != read.Word;
        }
        finally
        {
            Leave(state);
        }
    }

    /// <summary>
    /// Clears the key's old unverified words whose buffer no node holds any more: leftovers of
    /// writes cut short on a minority (their writer went on, withdrew them and reused the
    /// buffer). No reader can have returned one (a read that returns a write first copies its
    /// buffer home and its verified word to a majority), so it is no value; but a read that
    /// meets it on every snapshot can never finish, and its timestamp would age past half the
    /// ring.
    /// </summary>
    private async Task ClearLeftoversAsync(SwarmObjectState state, ulong now)
    {
        var snapshot = await SnapshotAsync(state.KeyHash, _nodes.Count).ConfigureAwait(false);
        var age = RefreshAgeUnits;
        var suspects = snapshot.Words()
            .Where(w => !Tsp.IsVerified(w) && _ring.IsOlderThan(w, now, age))
            .Distinct()
            .ToList();
        var leftovers = new HashSet<ulong>();
        foreach (var word in suspects)
        {
            if (!await AnyNodeHoldsBufferAsync(word).ConfigureAwait(false))
            {
                leftovers.Add(word);
            }
        }

        if (leftovers.Count > 0)
        {
            await ClearWordsAsync(state, snapshot, leftovers.Contains).ConfigureAwait(false);
        }
    }

    /// <summary>Whether some memory node's buffer of the word's writer and buffer id carries the word's identity.</summary>
    private async Task<bool> AnyNodeHoldsBufferAsync(ulong word)
    {
        var offset = _layout.BufferOffset(Tsp.Writer(word), Tsp.BufferId(word)) + SwarmLayout.BufferTspOffset;
        var headers = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            headers[i] = new byte[8];
            batches[i] = new VerbBatch(1);
            batches[i]!.Read(RegionId, offset, headers[i]);
        }

        var call = await RoundtripAsync(batches, _nodes.Count).ConfigureAwait(false);
        return Enumerable.Range(0, _nodes.Count).Any(i =>
            call.Succeeded[i] && Tsp.Identity(BinaryPrimitives.ReadUInt64LittleEndian(headers[i])) == Tsp.Identity(word));
    }

    /// <summary>
    /// A Safe-Guess write of <paramref name="value"/> with a chosen timestamp, never retried
    /// above a later write. Returns its word, or 0 when a later write won.
    /// </summary>
    private async Task<ulong> RewriteAsync(SwarmObjectState state, byte[] value, ulong timestamp)
    {
        await SettleAsync(state).ConfigureAwait(false);
        var prev = state.LiveLast(LiveWordAge);
        var bufferId = AllocateBuffer(value.Length);
        var guess = Tsp.Make(timestamp, bufferId, WriterId, verified: false);
        if (prev != 0 && !_ring.IsAfter(guess, prev))
        {
            // This writer's own last word of the key is newer already: nothing old to rewrite.
            lock (_lock)
            {
                _arena.Retire(bufferId);
            }

            return 0;
        }

        var image = BufferImage(prev, guess, value);
        try
        {
            var result = await WriteGuessAsync(state, value, prev, bufferId, guess, image, retryAbove: false)
                .ConfigureAwait(false);
            return result.Word == 0 ? 0 : state.Last;
        }
        catch (Exception) when (FencedReason is null && state.Unsettled is null)
        {
            state.Unsettled = new UnsettledWrite(guess, prev, bufferId, image) { At = _time.GetTimestamp() };
            throw;
        }
    }

    /// <summary>
    /// Clears (CAS to 0) every word of the key older than the refresh age that is below
    /// <paramref name="value"/>, the word of the key's value now, on every node: such a word is no
    /// value anymore, and left alone it would grow old enough to lose its order. Never a word
    /// above the value (an unfinished write's may yet be withdrawn, and the value must stay);
    /// with no value (0: every word was withdrawn) all old words go. A CAS from the exact word
    /// never touches a word written since.
    /// </summary>
    private async Task ClearOldWordsAsync(SwarmObjectState state, ulong value, ulong now)
    {
        var snapshot = await SnapshotAsync(state.KeyHash, _nodes.Count).ConfigureAwait(false);
        var age = RefreshAgeUnits;
        await ClearWordsAsync(state, snapshot, IsClearable).ConfigureAwait(false);

        bool IsClearable(ulong word) =>
            _ring.IsOlderThan(word, now, age) && (value == 0 || _ring.IsAfter(value, word));
    }

    /// <summary>CASes every word of the key's entries that <paramref name="clear"/> picks to 0, on every node of the snapshot.</summary>
    private async Task ClearWordsAsync(SwarmObjectState state, SwarmSnapshot snapshot, Func<ulong, bool> clear)
    {
        var batches = NewBatches();
        var expected = new List<ulong>[_nodes.Count];
        var posted = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            expected[i] = [];
            var batch = new VerbBatch(4);
            foreach (var (writer, entry, slot, helped) in snapshot.EntriesOn(i))
            {
                var offset = _layout.EntryOffset(state.Bucket, writer, entry);
                if (slot != 0 && clear(slot))
                {
                    batch.CompareAndSwap(RegionId, offset + SwarmLayout.SlotOffsetInEntry, slot, 0);
                    expected[i].Add(slot);
                }

                if (helped != 0 && clear(helped))
                {
                    batch.CompareAndSwap(RegionId, offset + SwarmLayout.HelpedOffsetInEntry, helped, 0);
                    expected[i].Add(helped);
                }
            }

            if (batch.Count > 0)
            {
                batches[i] = batch;
                posted++;
            }
        }

        if (posted == 0)
        {
            return;
        }

        var call = await RoundtripAsync(batches, posted).ConfigureAwait(false);
        for (var i = 0; i < _nodes.Count; i++)
        {
            for (var op = 0; call.Succeeded[i] && op < expected[i].Count; op++)
            {
                if (batches[i]!.Result(op) == expected[i][op])
                {
                    Counters.ClearedWord();
                }
            }
        }
    }

    /// <summary>
    /// How long a word this client holds (its last word of a key, a failed write) keeps its
    /// order against new ones: half of half the ring, past the refresh age plus a period and
    /// every in-flight bound. Older ones count as nothing.
    /// </summary>
    private TimeSpan LiveWordAge => _layout.Options.TimestampHalfRing / 2;

    /// <summary><see cref="SwarmOptions.TimestampRefreshAge"/> in units.</summary>
    private ulong RefreshAgeUnits => Units(_layout.Options.TimestampRefreshAge);

    /// <summary>
    /// How far behind the reference a rewrite's timestamp goes: a write whose batch lands after
    /// the refresh's read began was stamped at most MaxInFlight before, by a clock at most 2S
    /// off, with a guess at most MaxInFlight (the guess clock's reach) behind its own reference.
    /// </summary>
    private ulong RewriteLagUnits => 3 * Units(_layout.Options.MaxInFlight) + 1;

    private ulong Units(TimeSpan span)
    {
        var unit = _layout.Options.TimestampUnit.Ticks;
        return (ulong)((span.Ticks + unit - 1) / unit);
    }
}
