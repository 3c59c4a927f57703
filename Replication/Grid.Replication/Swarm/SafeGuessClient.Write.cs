using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>
    /// Writes a value (spec §2.4 WRITE): guess a timestamp and, in one roundtrip to every node,
    /// read the slots, write the buffer and CAS the guess into this client's slot. If the guess
    /// beats everything a majority held, the write is done; else it races readers on the
    /// buffer's validator word and is kept (a reader pinned it) or redone under a verified
    /// timestamp.
    /// </summary>
    public async Task<SwarmWriteResult> WriteAsync(long objectId, ReadOnlyMemory<byte> value)
    {
        if (value.Length > _layout.Options.MaxValueBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length,
                $"values are at most {_layout.Options.MaxValueBytes} bytes (SwarmOptions.MaxValueBytes)");
        }

        var state = await EnterAsync(objectId).ConfigureAwait(false);
        try
        {
            var result = await WriteCoreAsync(objectId, state, value).ConfigureAwait(false);
            Counters.Write(result.Path);
            return result;
        }
        finally
        {
            Leave(state);
        }
    }

    private async Task<SwarmWriteResult> WriteCoreAsync(long objectId, SwarmObjectState state, ReadOnlyMemory<byte> value)
    {
        var prev = state.Last;
        var bufferId = AllocateBuffer(value.Length);
        var guess = Tsp.Make(_clock.Next(), bufferId, WriterId, verified: false);
        var image = BufferImage(prev, guess, value.Span);

        // RTT1, one batch per node: READ slots; WRITE buffer; CAS own slot (spec §2.4).
        var slots = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            slots[i] = new byte[_layout.SlotsBytes];
            var batch = new VerbBatch(3);
            batch.Read(RegionId, _layout.ObjectOffset(objectId), slots[i]);
            batch.Write(RegionId, _layout.BufferOffset(WriterId, bufferId) + SwarmLayout.PrevOffset, image);
            batch.CompareAndSwap(RegionId, _layout.SlotOffset(objectId, WriterId), state.Expected[i], guess);
            batches[i] = batch;
        }

        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        var maxPre = MaxOtherSlot(call, slots);
        _clock.Observe(Tsp.Timestamp(maxPre));
        var roundtrips = 1 + await PublishAsync(objectId, state, guess, call, null).ConfigureAwait(false);

        if (guess > maxPre || Mutation == SwarmProtocolMutation.StaleGuessTreatedAsFresh)
        {
            Complete(state, prev, guess);
            state.Background = VerifyInBackgroundAsync(objectId, state, guess, value);
            return new SwarmWriteResult(SwarmWritePath.Fresh, roundtrips);
        }

        // Stale: race readers for the validator word of this write's buffer.
        var (pinned, decideRoundtrips) = await DecideAsync(guess, pin: false, first: null).ConfigureAwait(false);
        roundtrips += decideRoundtrips;
        if (pinned)
        {
            // A reader may have returned the guess: keep it, verified (spec §2.5, 3).
            var kept = Tsp.Verified(guess);
            roundtrips += await PublishAsync(objectId, state, kept, null, i => InPlaceBatch(objectId, i, kept, value))
                .ConfigureAwait(false);
            Complete(state, prev, kept);
            return new SwarmWriteResult(SwarmWritePath.Kept, roundtrips);
        }

        // Withdrawn: no reader can return the guess. Write again above everything seen.
        var retryBuffer = AllocateBuffer(value.Length);
        var retry = Tsp.Make(_clock.NextAtLeast(Tsp.Timestamp(maxPre) + 1), retryBuffer, WriterId, verified: true);
        var retryImage = BufferImage(prev, retry, value.Span);
        roundtrips += await PublishAsync(objectId, state, retry, null, i =>
        {
            var batch = InPlaceBatch(objectId, i, retry, value);
            batch.Write(RegionId, _layout.BufferOffset(WriterId, retryBuffer) + SwarmLayout.PrevOffset, retryImage);
            return batch;
        }).ConfigureAwait(false);
        lock (_lock)
        {
            _arena.Retire(bufferId);
        }

        Complete(state, prev, retry);
        return new SwarmWriteResult(SwarmWritePath.Retried, roundtrips);
    }

    /// <summary>The background step of a fresh write: verify it and refresh the in-place copy.</summary>
    private async Task VerifyInBackgroundAsync(long objectId, SwarmObjectState state, ulong guess, ReadOnlyMemory<byte> value)
    {
        var verified = Tsp.Verified(guess);
        await PublishAsync(objectId, state, verified, null, i => InPlaceBatch(objectId, i, verified, value))
            .ConfigureAwait(false);
        state.Last = verified;
    }

    /// <summary>A batch that refreshes the in-place copy when node i is the object's primary.</summary>
    private VerbBatch InPlaceBatch(long objectId, int node, ulong word, ReadOnlyMemory<byte> value)
    {
        var batch = new VerbBatch(3);
        if (node == _layout.PrimaryOf(objectId, _nodes.Count) && value.Length <= _layout.Options.InPlaceValueBytes)
        {
            batch.Write(RegionId, _layout.InPlaceOffset(objectId), InPlaceImage(word, value.Span));
        }

        return batch;
    }

    /// <summary>The write is final: it is the client's last word, and the buffer it replaced is retired.</summary>
    private void Complete(SwarmObjectState state, ulong prev, ulong word)
    {
        state.Last = word;
        if (prev != 0 && Tsp.Writer(prev) == WriterId && Tsp.BufferId(prev) != Tsp.BufferId(word))
        {
            lock (_lock)
            {
                _arena.Retire(Tsp.BufferId(prev));
            }
        }
    }

    private uint AllocateBuffer(int valueBytes)
    {
        lock (_lock)
        {
            return _arena.Allocate(SwarmLayout.BufferHeaderBytes + valueBytes);
        }
    }

    /// <summary>The largest word any replying node held in another writer's slot.</summary>
    private ulong MaxOtherSlot(QuorumCall call, byte[][] slots)
    {
        ulong max = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (!call.Succeeded[i])
            {
                continue;
            }

            for (var w = 1; w <= _layout.Options.MaxWriters; w++)
            {
                if (w != WriterId)
                {
                    max = Math.Max(max, ReadWord(slots[i], (w - 1) * 8));
                }
            }
        }

        return max;
    }
}
