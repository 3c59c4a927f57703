using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>Largest READ of the recovery scan, well under the TCP frame limit.</summary>
    private const int ScanChunkBytes = 4 << 20;

    /// <summary>
    /// Rebuilds this writer's state from the memory nodes (spec §4.4: a restarting client must
    /// re-read its own slots): its entries in every bucket and their words, the buffers those
    /// words point to (so the arena does not hand them out again), and for a word left unverified
    /// by a crash, whether it was final (a reader may have pinned it) or withdrawn (then the write
    /// before it counts). Every read here hears from every node that answers, not from the first
    /// majority: the previous holder's last write may have reached a minority only, and its word
    /// there must be resolved, its buffer kept and its timestamp observed before this client
    /// hands out a buffer or a guess (README, "Restart safety").
    /// </summary>
    private async Task RecoverAsync()
    {
        var owned = new HashSet<uint>();
        foreach (var (first, count) in ScanChunks())
        {
            var (batches, images) = ScanBatches(first, count);
            var call = await RoundtripToEveryNodeAsync(batches).ConfigureAwait(false);
            for (var k = 0; k < count; k++)
            {
                for (var entry = 0; entry < _layout.Options.EntriesPerWriter; entry++)
                {
                    var at = k * _layout.DirectoryBytes + _layout.EntryIndex(WriterId, entry) * SwarmLayout.EntryBytes;
                    RecoverEntry(first + k, entry, call, images, at, owned);
                }
            }
        }

        await MarkOwnedBuffersAsync(owned).ConfigureAwait(false);
        foreach (var state in _objects.Values.ToList())
        {
            if (state.Last != 0 && !Tsp.IsVerified(state.Last))
            {
                await ResolveUnverifiedAsync(state).ConfigureAwait(false);
            }
        }

        _arena.FreeGapsBelowTop();
    }

    /// <summary>The index in runs of whole buckets, each one READ under <see cref="ScanChunkBytes"/>.</summary>
    private IEnumerable<(int First, int Count)> ScanChunks()
    {
        var perChunk = Math.Max(1, ScanChunkBytes / _layout.DirectoryBytes);
        for (var first = 0; first < _layout.Options.BucketCount; first += perChunk)
        {
            yield return (first, Math.Min(perChunk, _layout.Options.BucketCount - first));
        }
    }

    /// <summary>One READ per node of <paramref name="count"/> buckets from <paramref name="first"/> on, and the images it fills.</summary>
    private (VerbBatch?[] Batches, byte[][] Images) ScanBatches(int first, int count)
    {
        var images = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            images[i] = new byte[count * _layout.DirectoryBytes];
            batches[i] = new VerbBatch(1);
            batches[i]!.Read(RegionId, _layout.BucketOffset(first), images[i]);
        }

        return (batches, images);
    }

    private void RecoverEntry(int bucket, int entry, QuorumCall call, byte[][] images, int at, HashSet<uint> owned)
    {
        // The entry's key is the one on the node holding its newest word: an entry swept and
        // reused for another key may still show the old key on a node the zeroing has not
        // reached, and key hashes say nothing about which is current. This writer's words only
        // grow (its clock never hands out a smaller one), so the newest word marks the current key.
        ulong keyHash = 0;
        ulong newest = 0;
        ulong newestInQuorum = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (!Answered(call, i))
            {
                continue;
            }

            var hash = BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at));
            var word = _ring.Max(
                BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at + SwarmLayout.SlotOffsetInEntry)),
                BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at + SwarmLayout.HelpedOffsetInEntry)));
            if (hash != 0 && _ring.IsAfter(word, newest))
            {
                keyHash = hash;
                newest = word;
            }

            if (hash != 0 && call.Succeeded[i])
            {
                newestInQuorum = Math.Max(newestInQuorum, word);
            }
        }

        if (newest > newestInQuorum)
        {
            Counters.LateRecoveredWord();
        }

        if (keyHash == 0)
        {
            // No word anywhere: the entry holds no value (free, or a key hash whose first CAS
            // never landed), so the space is free to reuse.
            return;
        }

        ulong last = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (Answered(call, i) && BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at)) == keyHash)
            {
                last = _ring.Max(last, BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at + SwarmLayout.SlotOffsetInEntry)));
            }
        }

        if (!_ownEntries.TryGetValue(bucket, out var keys))
        {
            keys = new ulong[_layout.Options.EntriesPerWriter];
            _ownEntries.Add(bucket, keys);
        }

        keys[entry] = keyHash;
        var state = new SwarmObjectState(keyHash, bucket, _nodes.Count, _time) { Entry = entry, Last = last };
        for (var i = 0; i < _nodes.Count; i++)
        {
            var answered = Answered(call, i);
            var slot = answered ? BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at + SwarmLayout.SlotOffsetInEntry)) : last;
            var helped = answered ? BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(at + SwarmLayout.HelpedOffsetInEntry)) : 0;
            state.Expected[i] = slot;
            foreach (var word in (ulong[])[slot, helped])
            {
                _clock.ObserveWord(word);
                if (word != 0 && Tsp.Writer(word) == WriterId)
                {
                    owned.Add(Tsp.BufferId(word));
                }
            }
        }

        _objects[keyHash] = state;
    }

    /// <summary>
    /// Reads the length of every buffer this writer's words point to and reserves it: the
    /// largest length any node declares, from every node that answers (a word cut short may
    /// have its buffer on one node only; elsewhere the space holds older bytes).
    /// </summary>
    private async Task MarkOwnedBuffersAsync(IReadOnlyCollection<uint> owned)
    {
        const int OpsPerBatch = 256;
        var ids = owned.ToArray();
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

            var call = await RoundtripToEveryNodeAsync(batches).ConfigureAwait(false);
            for (var k = 0; k < slice.Length; k++)
            {
                var length = 0;
                for (var i = 0; i < _nodes.Count; i++)
                {
                    if (Answered(call, i))
                    {
                        length = Math.Max(length, BinaryPrimitives.ReadInt32LittleEndian(headers[i][k].AsSpan(40)));
                    }
                }

                _arena.MarkLive(slice[k], SwarmLayout.BufferHeaderBytes + Math.Clamp(length, 0, _layout.Options.MaxValueBytes));
            }
        }
    }

    /// <summary>
    /// A word of ours left unverified: act as a reader would (spec §2.4, pin). If nobody
    /// withdrew it, it may have been returned, so it stays and is verified now; if it was
    /// withdrawn, the crash came mid-retry and the write before it is our last. If no node that
    /// answers holds its buffer, nobody can have returned it (a reader returns an unverified
    /// word only after writing its buffer back to a majority), and verifying it would publish a
    /// value that cannot be read: it is withdrawn from the slots instead.
    /// </summary>
    private async Task ResolveUnverifiedAsync(SwarmObjectState state)
    {
        var word = state.Last;
        var (withdrawn, _, copy) = await PinAsync(word, null).ConfigureAwait(false);

        // The buffer may sit on a node outside the pin's majority only.
        copy ??= await ReadBufferAsync(word, null, everyNode: true).ConfigureAwait(false);
        var prev = copy?.Prev ?? 0;
        if (copy is null)
        {
            await WithdrawOrphanAsync(state, word).ConfigureAwait(false);
            if (state.Last != 0 && !Tsp.IsVerified(state.Last))
            {
                await ResolveUnverifiedAsync(state).ConfigureAwait(false);
            }

            return;
        }

        if (!withdrawn)
        {
            // The buffer may sit on a minority (the crash cut the write short): as a reader's
            // write-back does, put it home on every node in the batch that verifies the word.
            var home = _layout.BufferOffset(WriterId, Tsp.BufferId(word)) + SwarmLayout.PrevOffset;
            await PublishAsync(state, Tsp.Verified(word), null, _ =>
            {
                var batch = new VerbBatch(3);
                batch.Write(RegionId, home, copy.ImageFromPrev);
                return batch;
            }).ConfigureAwait(false);
            state.Last = Tsp.Verified(word);
        }
        else
        {
            // The write before it counts again. Its word may sit in no slot any more (the
            // withdrawn one replaced it wherever it landed, and nodes that still show it may be
            // down), so the scan did not reserve its buffer: reserve it now, or a new buffer
            // could take that space and the next write of the key, replacing this word, would
            // retire the new buffer in its place.
            state.Last = prev;
            await KeepLiveAsync(prev).ConfigureAwait(false);
        }
    }

    /// <summary>Reserves the buffer of a word of this writer that a key falls back to, unless it is reserved already.</summary>
    private async Task KeepLiveAsync(ulong word)
    {
        if (word != 0 && Tsp.Writer(word) == WriterId && !_arena.IsLive(Tsp.BufferId(word)))
        {
            await MarkOwnedBuffersAsync([Tsp.BufferId(word)]).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Puts the slot back to the newest earlier word wherever it holds <paramref name="orphan"/>,
    /// a word whose write reached only nodes that are gone (its buffer and its slot CAS travel in
    /// one batch, so a node without the buffer never had the word). The earlier word comes from
    /// a fresh read of the slot on a majority.
    /// </summary>
    private async Task WithdrawOrphanAsync(SwarmObjectState state, ulong orphan)
    {
        var slot = OwnSlotOffset(state);
        var reads = NewBatches();
        var words = new byte[_nodes.Count][];
        for (var i = 0; i < reads.Length; i++)
        {
            words[i] = new byte[8];
            reads[i] = new VerbBatch(1);
            reads[i]!.Read(RegionId, slot, words[i]);
        }

        var read = await RoundtripAsync(reads).ConfigureAwait(false);
        var below = Enumerable.Range(0, _nodes.Count)
            .Where(i => read.Succeeded[i])
            .Select(i => BinaryPrimitives.ReadUInt64LittleEndian(words[i]))
            .Where(w => _ring.Compare(Tsp.Identity(w), Tsp.Identity(orphan)) < 0)
            .ToList();
        var earlier = below.Aggregate(0UL, _ring.Max);
        if (below.Count == 0)
        {
            throw new InvariantViolationException(
                $"spec §2.4: writer {WriterId}'s word {Tsp.Describe(orphan)} of key {state.KeyHash:x} sits in the " +
                "slot of every node that answered, yet none of a majority holds its buffer");
        }

        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new VerbBatch(1);
            batches[i]!.CompareAndSwap(RegionId, slot, orphan, earlier);
        }

        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        for (var i = 0; i < _nodes.Count; i++)
        {
            state.Expected[i] = call.Succeeded[i]
                ? (batches[i]!.Result(0) == orphan ? earlier : batches[i]!.Result(0))
                : earlier;
        }

        lock (_lock)
        {
            _arena.Retire(Tsp.BufferId(orphan));
        }

        state.Last = earlier;
        Counters.WithdrawnOrphan();
    }
}
