using Grid.RdmaTransport;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>Largest READ of the recovery scan, well under the TCP frame limit.</summary>
    private const int ScanChunkBytes = 4 << 20;

    /// <summary>
    /// Rebuilds this writer's state from the memory nodes (spec §4.4: a restarting client must
    /// re-read its own slots): its word in every object, the buffers those words point to (so
    /// the arena does not hand them out again), and for a word left unverified by a crash, whether
    /// it was final (a reader may have pinned it) or withdrawn (then the write before it counts).
    /// </summary>
    private async Task RecoverAsync()
    {
        var perChunk = Math.Max(1, ScanChunkBytes / _layout.ObjectStride);
        var owned = new Dictionary<uint, long>();
        for (long first = 0; first < _layout.Options.ObjectCapacity; first += perChunk)
        {
            var count = (int)Math.Min(perChunk, _layout.Options.ObjectCapacity - first);
            var destinations = new byte[_nodes.Count][];
            var batches = NewBatches();
            for (var i = 0; i < batches.Length; i++)
            {
                destinations[i] = new byte[count * _layout.ObjectStride];
                batches[i] = new VerbBatch(1);
                batches[i]!.Read(RegionId, _layout.ObjectOffset(first), destinations[i]);
            }

            var call = await RoundtripAsync(batches).ConfigureAwait(false);
            for (var k = 0; k < count; k++)
            {
                RecoverObject(first + k, call, destinations, k * _layout.ObjectStride, owned);
            }
        }

        await MarkOwnedBuffersAsync(owned).ConfigureAwait(false);
        foreach (var (objectId, state) in _objects)
        {
            if (state.Last != 0 && !Tsp.IsVerified(state.Last))
            {
                await ResolveUnverifiedAsync(objectId, state).ConfigureAwait(false);
            }
        }

        _arena.FreeGapsBelowTop();
    }

    private void RecoverObject(long objectId, Common.QuorumCall call, byte[][] images, int at, Dictionary<uint, long> owned)
    {
        var slot = at + (WriterId - 1) * 8;
        ulong last = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (call.Succeeded[i])
            {
                last = Math.Max(last, ReadWord(images[i], slot));
            }
        }

        if (last == 0)
        {
            return;
        }

        var state = new SwarmObjectState(_nodes.Count) { Last = last };
        for (var i = 0; i < _nodes.Count; i++)
        {
            var value = call.Succeeded[i] ? ReadWord(images[i], slot) : last;
            state.Expected[i] = value;
            _clock.Observe(Tsp.Timestamp(value));
            if (value != 0 && Tsp.Writer(value) == WriterId)
            {
                owned[Tsp.BufferId(value)] = objectId;
            }
        }

        _objects[objectId] = state;
    }

    /// <summary>Reads the length of every buffer this writer's words point to and reserves it.</summary>
    private async Task MarkOwnedBuffersAsync(Dictionary<uint, long> owned)
    {
        const int OpsPerBatch = 256;
        var ids = owned.Keys.ToArray();
        for (var start = 0; start < ids.Length; start += OpsPerBatch)
        {
            var slice = ids.AsSpan(start, Math.Min(OpsPerBatch, ids.Length - start)).ToArray();
            var headers = new byte[_nodes.Count][][];
            var batches = NewBatches();
            for (var i = 0; i < batches.Length; i++)
            {
                headers[i] = new byte[slice.Length][];
                var batch = new VerbBatch(slice.Length);
                for (var k = 0; k < slice.Length; k++)
                {
                    headers[i][k] = new byte[SwarmLayout.BufferHeaderBytes];
                    batch.Read(RegionId, _layout.BufferOffset(WriterId, slice[k]), headers[i][k]);
                }

                batches[i] = batch;
            }

            var call = await RoundtripAsync(batches).ConfigureAwait(false);
            for (var k = 0; k < slice.Length; k++)
            {
                var length = 0;
                for (var i = 0; i < _nodes.Count; i++)
                {
                    if (call.Succeeded[i])
                    {
                        length = Math.Max(length, BitConverter.ToInt32(headers[i][k], 40));
                    }
                }

                _arena.MarkLive(slice[k], SwarmLayout.BufferHeaderBytes + Math.Clamp(length, 0, _layout.Options.MaxValueBytes));
            }
        }
    }

    /// <summary>
    /// A word of ours left unverified: act as a reader would (spec §2.4, pin). If nobody
    /// withdrew it, it may have been returned, so it stays and is verified now; if it was
    /// withdrawn, the crash came mid-retry and the write before it is our last.
    /// </summary>
    private async Task ResolveUnverifiedAsync(long objectId, SwarmObjectState state)
    {
        var word = state.Last;
        var (withdrawn, prev, _) = await PinAsync(word, null).ConfigureAwait(false);
        if (!withdrawn)
        {
            await PublishAsync(objectId, state, Tsp.Verified(word), null, null).ConfigureAwait(false);
            state.Last = Tsp.Verified(word);
        }
        else
        {
            state.Last = prev;
        }
    }
}
