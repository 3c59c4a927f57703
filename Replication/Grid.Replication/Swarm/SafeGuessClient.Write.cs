using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>
    /// Writes a value (spec §2.4 WRITE): guess a timestamp and, in one roundtrip to every node,
    /// read the key's bucket, write the buffer and CAS the guess into this client's slot. If the
    /// guess beats everything a majority held, the write is done; else it races readers on the
    /// buffer's validator word and is kept (a reader pinned it) or redone under a verified
    /// timestamp. In DM-ABD mode: read the timestamps, then write above them.
    /// </summary>
    public Task<SwarmWriteResult> WriteAsync(ulong key, ReadOnlyMemory<byte> value) =>
        WriteAsync(key, value, deletion: false);

    /// <summary>
    /// A write; a <paramref name="deletion"/> (a tombstone of the layer above) also makes the
    /// client's entry for the key releasable after the grace period (<see cref="ReleaseDeletedAsync"/>).
    /// </summary>
    internal async Task<SwarmWriteResult> WriteAsync(ulong key, ReadOnlyMemory<byte> value, bool deletion)
    {
        if (value.Length > _layout.Options.MaxValueBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length,
                $"values are at most {_layout.Options.MaxValueBytes} bytes (SwarmOptions.MaxValueBytes)");
        }

        PinNodes();
        if (SinceRefreshMark > _layout.Options.TimestampRefreshDeadline)
        {
            await ThrowIfRefreshOverdueAsync().ConfigureAwait(false);
        }
        var state = await EnterAsync(key).ConfigureAwait(false);
        try
        {
            var result = Mode == SwarmKvMode.DmAbd
                ? await WriteAbdAsync(state, value).ConfigureAwait(false)
                : await WriteCoreAsync(state, value).ConfigureAwait(false);
            Counters.Write(result.Path);
            state.DeletedAt = deletion ? _time.GetTimestamp() : null;
            return result;
        }
        finally
        {
            Leave(state);
        }
    }

    private async Task<SwarmWriteResult> WriteCoreAsync(SwarmObjectState state, ReadOnlyMemory<byte> value)
    {
        var settle = await SettleAsync(state).ConfigureAwait(false);
        var prev = state.LiveLast(LiveWordAge);
        var bufferId = AllocateBuffer(value.Length);
        var guess = Tsp.Make(_clock.Next(), bufferId, WriterId, verified: false);
        var image = BufferImage(prev, guess, value.Span);
        try
        {
            var result = await WriteGuessAsync(state, value, prev, bufferId, guess, image).ConfigureAwait(false);
            return result with { Roundtrips = result.Roundtrips + settle };
        }
        catch (Exception) when (FencedReason is null && state.Unsettled is null)
        {
            // Perhaps on some nodes, perhaps returned by a reader: settled by the next write.
            state.Unsettled = new UnsettledWrite(guess, prev, bufferId, image) { At = _time.GetTimestamp() };
            throw;
        }
    }

    /// <summary>
    /// The write of a guess. With <paramref name="retryAbove"/> false (a refresh), a withdrawn
    /// guess is not written again: the result's word is then 0, and a later write replaced it.
    /// </summary>
    private async Task<SwarmWriteResult> WriteGuessAsync(
        SwarmObjectState state, ReadOnlyMemory<byte> value, ulong prev, uint bufferId, ulong guess, byte[] image,
        bool retryAbove = true)
    {

        // RTT1, one batch per node: READ bucket; READ own incarnation; WRITE buffer; WRITE own
        // entry's key; CAS own slot.
        var directories = new byte[_nodes.Count][];
        var incarnations = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            directories[i] = new byte[_layout.DirectoryBytes];
            incarnations[i] = new byte[8];
            var batch = new VerbBatch(5);
            batch.Read(RegionId, _layout.BucketOffset(state.Bucket), directories[i]);
            batch.Read(RegionId, _layout.IncarnationOffset(WriterId), incarnations[i]);
            batch.Write(RegionId, _layout.BufferOffset(WriterId, bufferId) + SwarmLayout.PrevOffset, image);
            batch.Write(RegionId, OwnEntryOffset(state), KeyHashBytes(state.KeyHash));
            batch.CompareAndSwap(RegionId, OwnSlotOffset(state), state.Expected[i], guess);
            batches[i] = batch;
        }

        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        CheckIncarnation(call, incarnations);
        var snapshot = Snapshot(state.KeyHash, call, directories, null);
        var maxPre = snapshot.MaxWord();
        var others = Tsp.Identity(snapshot.MaxOfOtherWriters(WriterId));
        _clock.ObserveWord(maxPre);
        var roundtrips = 1 + await PublishAsync(state, guess, call, null).ConfigureAwait(false);

        if (_ring.IsAfter(guess, maxPre) || Mutation == SwarmProtocolMutation.StaleGuessTreatedAsFresh)
        {
            Complete(state, prev, guess);
            state.Background = VerifyInBackgroundAsync(state, guess, value);
            return new SwarmWriteResult(SwarmWritePath.Fresh, roundtrips, Tsp.Identity(guess), others);
        }

        // Stale: race readers for the validator word of this write's buffer.
        var (pinned, decideRoundtrips) = await DecideAsync(guess, pin: false, first: null, read: null).ConfigureAwait(false);
        roundtrips += decideRoundtrips;
        if (pinned)
        {
            // A reader may have returned the guess: keep it, verified (spec §2.5, 3).
            var kept = Tsp.Verified(guess);
            roundtrips += await PublishAsync(state, kept, null, i => InPlaceBatch(state, i, kept, value))
                .ConfigureAwait(false);
            Complete(state, prev, kept);
            return new SwarmWriteResult(SwarmWritePath.Kept, roundtrips, Tsp.Identity(kept), others);
        }

        // Withdrawn: no reader can return the guess. Write again above everything seen; the
        // guess's buffer is retired once a later word has replaced it in the slot.
        state.RetireOnNextWrite.Add(bufferId);
        if (!retryAbove)
        {
            return new SwarmWriteResult(SwarmWritePath.Retried, roundtrips, 0, Tsp.Identity(maxPre));
        }

        var retry = await WriteAboveAsync(state, prev, value, maxPre).ConfigureAwait(false);
        roundtrips += retry.Roundtrips;

        return new SwarmWriteResult(SwarmWritePath.Retried, roundtrips, Tsp.Identity(retry.Word), others);
    }

    /// <summary>DM-ABD (spec §2.3, -g=false): read the timestamps, then publish above them.</summary>
    private async Task<SwarmWriteResult> WriteAbdAsync(SwarmObjectState state, ReadOnlyMemory<byte> value)
    {
        await SettleAsync(state).ConfigureAwait(false);
        var snapshot = await ReadBucketAsync(state).ConfigureAwait(false);
        var others = snapshot.MaxOfOtherWriters(WriterId);
        var last = state.LiveLast(LiveWordAge);
        var max = _ring.Max(snapshot.MaxWord(), last);
        var write = await WriteAboveAsync(state, last, value, max).ConfigureAwait(false);
        return new SwarmWriteResult(
            SwarmWritePath.Retried, 1 + write.Roundtrips, Tsp.Identity(write.Word), Tsp.Identity(others));
    }

    /// <summary>Publishes the value under a verified word above <paramref name="above"/> (buffer, in-place, CAS).</summary>
    private async Task<(ulong Word, int Roundtrips)> WriteAboveAsync(
        SwarmObjectState state, ulong prev, ReadOnlyMemory<byte> value, ulong above)
    {
        var bufferId = AllocateBuffer(value.Length);
        var timestamp = above == 0 ? _clock.Next() : _clock.NextAtLeast(_ring.Add(Tsp.Timestamp(above), 1));
        var word = Tsp.Make(timestamp, bufferId, WriterId, verified: true);
        var image = BufferImage(prev, word, value.Span);
        int roundtrips;
        try
        {
            roundtrips = await PublishImageAsync(state, word, bufferId, image, value).ConfigureAwait(false);
        }
        catch (Exception) when (FencedReason is null)
        {
            // A verified word may be on some nodes and is never withdrawn: the next write keeps it.
            state.Unsettled = new UnsettledWrite(word, prev, bufferId, image) { At = _time.GetTimestamp() };
            throw;
        }

        Complete(state, prev, word);
        return (word, roundtrips);
    }

    /// <summary>Publishes a word with its buffer image (and in-place record) in the same batch to each node.</summary>
    private Task<int> PublishImageAsync(SwarmObjectState state, ulong word, uint bufferId, byte[] image, ReadOnlyMemory<byte> value) =>
        PublishAsync(state, word, null, i =>
        {
            var batch = InPlaceBatch(state, i, word, value);
            batch.Write(RegionId, _layout.BufferOffset(WriterId, bufferId) + SwarmLayout.PrevOffset, image);
            return batch;
        });

    /// <summary>
    /// Settles a write of this key that failed mid-way (<see cref="SwarmObjectState.Unsettled"/>)
    /// before the next one, so that the next write's prev is right: a verified word, or a guess a
    /// reader pinned, is kept (published verified with its image on a majority); a guess the
    /// validator race withdraws is dropped, and its buffer retired once the next write replaced
    /// it. Returns the roundtrips spent.
    /// </summary>
    private async Task<int> SettleAsync(SwarmObjectState state)
    {
        if (state.Unsettled is not { } unsettled)
        {
            return 0;
        }

        var roundtrips = 0;
        var keep = Tsp.IsVerified(unsettled.Word);
        if (!keep)
        {
            var (pinned, decided) = await DecideAsync(unsettled.Word, pin: false, first: null, read: null).ConfigureAwait(false);
            roundtrips += decided;
            keep = pinned;
        }

        // A write failed so long ago that its word may have wrapped past new ones is never
        // published now: if a reader returned it, the refresh has rewritten or cleared it since.
        if (keep && _time.GetElapsedTime(unsettled.At) > LiveWordAge)
        {
            keep = false;
        }

        if (keep)
        {
            var kept = Tsp.Verified(unsettled.Word);
            roundtrips += await PublishImageAsync(state, kept, unsettled.BufferId, unsettled.Image, unsettled.Value)
                .ConfigureAwait(false);
            Complete(state, unsettled.Prev, kept);
        }
        else
        {
            state.RetireOnNextWrite.Add(unsettled.BufferId);
        }

        state.Unsettled = null;
        Counters.Settled(keep);
        return roundtrips;
    }

    /// <summary>The background step of a fresh write: verify it and refresh the in-place copy.</summary>
    private async Task VerifyInBackgroundAsync(SwarmObjectState state, ulong guess, ReadOnlyMemory<byte> value)
    {
        var verified = Tsp.Verified(guess);
        await PublishAsync(state, verified, null, i => InPlaceBatch(state, i, verified, value)).ConfigureAwait(false);
        state.Last = verified;
    }

    /// <summary>A batch that refreshes the key's in-place record when node i holds one.</summary>
    private VerbBatch InPlaceBatch(SwarmObjectState state, int node, ulong word, ReadOnlyMemory<byte> value)
    {
        var batch = new VerbBatch(4);
        if (Mode == SwarmKvMode.Swarm
            && _layout.HoldsInPlace(state.KeyHash, node, _nodes.Count)
            && value.Length <= _layout.Options.InPlaceValueBytes)
        {
            batch.Write(RegionId, _layout.InPlaceRecordOffset(state.Bucket, WriterId, state.Entry),
                InPlaceImage(state.KeyHash, word, value.Span));
        }

        return batch;
    }

    /// <summary>The write is final: it is the client's last word, and the buffer it replaced is retired.</summary>
    private void Complete(SwarmObjectState state, ulong prev, ulong word)
    {
        // The buffer replaced is the last word's, even where the image named no predecessor
        // because that word had grown too old to order (LiveLast).
        var replaced = prev != 0 ? prev : state.Last;
        state.Last = word;
        lock (_lock)
        {
            if (replaced != 0 && Tsp.Writer(replaced) == WriterId && Tsp.BufferId(replaced) != Tsp.BufferId(word))
            {
                _arena.Retire(Tsp.BufferId(replaced));
            }

            foreach (var withdrawn in state.RetireOnNextWrite)
            {
                if (withdrawn != Tsp.BufferId(word))
                {
                    _arena.Retire(withdrawn);
                }
            }

            state.RetireOnNextWrite.Clear();
        }
    }

    private uint AllocateBuffer(int valueBytes)
    {
        lock (_lock)
        {
            return _arena.Allocate(SwarmLayout.BufferHeaderBytes + valueBytes);
        }
    }

    /// <summary>
    /// One roundtrip before a write of another kind (DM-ABD, releasing an entry): the key's bucket
    /// from a majority, with this writer id's incarnation checked as the Safe-Guess write does.
    /// </summary>
    private async Task<SwarmSnapshot> ReadBucketAsync(SwarmObjectState state)
    {
        var directories = new byte[_nodes.Count][];
        var incarnations = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            directories[i] = new byte[_layout.DirectoryBytes];
            incarnations[i] = new byte[8];
            batches[i] = new VerbBatch(2);
            batches[i]!.Read(RegionId, _layout.BucketOffset(state.Bucket), directories[i]);
            batches[i]!.Read(RegionId, _layout.IncarnationOffset(WriterId), incarnations[i]);
        }

        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        CheckIncarnation(call, incarnations);
        return Snapshot(state.KeyHash, call, directories, null);
    }

    private SwarmSnapshot Snapshot(ulong keyHash, QuorumCall call, byte[][] directories, byte[]?[]? inPlace)
    {
        var replied = new byte[]?[_nodes.Count];
        var inPlaceReplied = new byte[]?[_nodes.Count];
        for (var i = 0; i < replied.Length; i++)
        {
            replied[i] = call.Succeeded[i] ? directories[i] : null;
            inPlaceReplied[i] = call.Succeeded[i] ? inPlace?[i] : null;
        }

        return new SwarmSnapshot(_layout, keyHash, replied, inPlaceReplied);
    }
}
