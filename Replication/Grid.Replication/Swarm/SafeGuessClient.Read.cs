using System.Buffers.Binary;
using System.Diagnostics;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    private const int ReadAttemptsMax = 16;

    /// <summary>
    /// Reads the object (spec §2.4 READ): snapshot the slots of a majority; return the largest
    /// word when it is verified, else decide on it with the validator word (pin), substitute a
    /// writer's unfinished op by its predecessor, and write the result back where a majority may
    /// lack it. One roundtrip when the maximum is verified, agreed and in place.
    /// </summary>
    public async Task<SwarmReadResult> ReadAsync(ulong key)
    {
        PinNodes();
        var state = await EnterAsync(key).ConfigureAwait(false);
        try
        {
            return await ReadEnteredAsync(state, allNodes: false).ConfigureAwait(false);
        }
        finally
        {
            Leave(state);
        }
    }

    /// <summary>
    /// The read, on a key this client has entered. With <paramref name="allNodes"/> every
    /// snapshot waits for every memory node (the refresh: no word may hide on a node it skipped).
    /// With <paramref name="everyNode"/> (a repair) every snapshot waits for that many nodes and a
    /// write-back is confirmed by as many, so that the value ends up on each of them.
    /// </summary>
    private async Task<SwarmReadResult> ReadEnteredAsync(SwarmObjectState state, bool allNodes, int? everyNode = null)
    {
        var key = state.KeyHash;
        {
            var roundtrips = 0;
            for (var attempt = 0; attempt < ReadAttemptsMax; attempt++)
            {
                var read = new ReadContext(_time.GetTimestamp())
                {
                    Needed = everyNode ?? (allNodes ? _nodes.Count : Quorum),
                    WriteBackNodes = everyNode ?? Quorum,
                };
                SwarmReadResult? result;
                try
                {
                    result = await ReadAttemptAsync(state, read).ConfigureAwait(false);
                }
                catch (ReadTooOldException)
                {
                    result = null;
                }

                roundtrips += read.Roundtrips;
                if (result is { } done)
                {
                    return done with { Roundtrips = roundtrips, Observed = read.Observed };
                }

                Counters.ReadRestart();
            }

            throw new InvariantViolationException(
                $"spec §2.5 (6): a read of key {key:x} by writer {WriterId} did not finish in " +
                $"{ReadAttemptsMax} attempts");
        }
    }

    /// <summary>One pass of the read; null when it must start over (a buffer went missing, or too old).</summary>
    private async Task<SwarmReadResult?> ReadAttemptAsync(SwarmObjectState state, ReadContext read)
    {
        var snapshotsMax = 2 * _layout.Options.MaxWriters + 4;
        for (var pass = 0; pass < snapshotsMax; pass++)
        {
            var snapshot = await SnapshotAsync(state.KeyHash, read.Needed).ConfigureAwait(false);
            read.Roundtrips++;
            while (true)
            {
                var top = snapshot.MappedMax(read.Substitutions);
                foreach (var word in snapshot.Words())
                {
                    _clock.ObserveWord(word);
                    read.Observed = _ring.Max(read.Observed, Tsp.Identity(word));
                }

                if (top == 0)
                {
                    return new SwarmReadResult(null, 0, false);
                }

                var identity = Tsp.Identity(top);
                if (Tsp.IsVerified(top) || read.Replacements.Contains(identity))
                {
                    return await FinishAsync(state, read, snapshot, top, mustWriteBack: false, null)
                        .ConfigureAwait(false);
                }

                var writer = Tsp.Writer(top);
                if (read.SeenMax.TryGetValue(writer, out var earlier) && _ring.IsAfter(identity, earlier))
                {
                    // The writer finished an op during this read and began another: this one
                    // may be withdrawn yet, so read as if it had not begun.
                    var buffer = await ReadBufferAsync(top, read).ConfigureAwait(false);
                    if (buffer is null)
                    {
                        return null;
                    }

                    read.Substitute(identity, buffer.Prev);
                    Counters.Substitution();
                    continue;
                }

                if (read.SeenMax.TryGetValue(writer, out earlier) && _ring.IsAfter(earlier, identity))
                {
                    // The prev of the writer's later op: final.
                    return await FinishAsync(state, read, snapshot, top, mustWriteBack: true, null)
                        .ConfigureAwait(false);
                }

                if (read.SeenAny.Contains(identity))
                {
                    if (Mutation == SwarmProtocolMutation.ReaderSkipsPin)
                    {
                        return await FinishAsync(state, read, snapshot, top, mustWriteBack: true, null)
                            .ConfigureAwait(false);
                    }

                    var (withdrawn, prev, copy) = await PinAsync(top, read).ConfigureAwait(false);
                    Counters.Pin(withdrawn);
                    if (copy is null)
                    {
                        return null;
                    }

                    if (!withdrawn)
                    {
                        return await FinishAsync(state, read, snapshot, top, mustWriteBack: true, copy)
                            .ConfigureAwait(false);
                    }

                    read.Substitute(identity, prev);
                    Counters.Substitution();
                    continue;
                }

                read.SeenMax[writer] = identity;
                break;
            }

            foreach (var word in snapshot.Words())
            {
                read.SeenAny.Add(Tsp.Identity(word));
            }
        }

        return null;
    }

    private async Task<SwarmReadResult?> FinishAsync(
        SwarmObjectState state,
        ReadContext read,
        SwarmSnapshot snapshot,
        ulong word,
        bool mustWriteBack,
        BufferCopy? copy)
    {
        var value = Mode == SwarmKvMode.Swarm ? snapshot.InPlaceValueOf(word) : null;
        var fromInPlace = value is not null;
        var writeBack = mustWriteBack || !Tsp.IsVerified(word) || snapshot.SomeNodeDisagrees(word, read.Substitutions);
        if (value is null || writeBack)
        {
            copy ??= await ReadBufferAsync(word, read).ConfigureAwait(false);
            if (copy is null)
            {
                return null;
            }

            value ??= copy.Value;
        }

        if (writeBack)
        {
            await WriteBackAsync(snapshot, word, copy!, read).ConfigureAwait(false);
            Counters.WriteBack();
        }

        return new SwarmReadResult(value, 0, fromInPlace) { Word = word };
    }

    /// <summary>
    /// Puts the returned write on a majority (spec §2.4 FINISH): its buffer bytes at their home
    /// address on every node, then the verified word into the helped word of its writer's entry
    /// for the key, raised by CAS where lower (a CAS-max: helped words only grow). Where the
    /// writer's entry has not landed yet, its key hash goes first: the same bytes the writer
    /// writes there itself.
    /// </summary>
    private async Task WriteBackAsync(SwarmSnapshot snapshot, ulong word, BufferCopy copy, ReadContext read)
    {
        var verified = Tsp.Verified(word);
        var writer = Tsp.Writer(word);
        var entry = snapshot.EntryOf(writer);
        if (entry < 0)
        {
            throw new InvariantViolationException(
                $"spec §2.4: a read returns {Tsp.Describe(word)} without having seen writer {writer}'s entry");
        }

        var bucket = _layout.BucketOf(snapshot.KeyHash);
        var entryOffset = _layout.EntryOffset(bucket, writer, entry);
        var home = _layout.BufferOffset(writer, Tsp.BufferId(word)) + SwarmLayout.PrevOffset;
        var expected = new ulong[_nodes.Count];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = snapshot.HelpedOn(i, writer, entry);
        }

        var confirmed = new bool[_nodes.Count];
        var firstPass = true;
        while (confirmed.Count(c => c) < read.WriteBackNodes)
        {
            ThrowIfTooOld(read);
            var batches = NewBatches();
            for (var i = 0; i < batches.Length; i++)
            {
                if (confirmed[i])
                {
                    continue;
                }

                var batch = new VerbBatch(3);
                if (firstPass)
                {
                    // The key hash only where the entry is free: never over an entry the writer
                    // reused for another key (the grace period keeps this from happening at all;
                    // README, "Time bounds").
                    batch.Write(RegionId, home, copy.ImageFromPrev);
                    batch.CompareAndSwap(RegionId, entryOffset, 0, snapshot.KeyHash);
                }

                batch.CompareAndSwap(RegionId, entryOffset + SwarmLayout.HelpedOffsetInEntry,
                    expected[i], _ring.Max(expected[i], verified));
                batches[i] = batch;
            }

            var call = await RoundtripAsync(batches, read.WriteBackNodes - confirmed.Count(c => c)).ConfigureAwait(false);
            read.Roundtrips++;
            firstPass = false;
            for (var i = 0; i < _nodes.Count; i++)
            {
                var batch = batches[i];
                if (batch is null || !call.Succeeded[i])
                {
                    continue;
                }

                var old = batch.Result(batch.Count - 1);
                if (old == expected[i] || _ring.Compare(old, verified) >= 0)
                {
                    confirmed[i] = true;
                }
                else
                {
                    expected[i] = old;
                }
            }
        }
    }

    /// <summary>
    /// Races the writer for the write's validator word (spec §2.4, pin), reading the buffer in
    /// the same first batch. Withdrawn when a deciding majority shows the writer's mark.
    /// </summary>
    private async Task<(bool Withdrawn, ulong Prev, BufferCopy? Copy)> PinAsync(ulong word, ReadContext? read)
    {
        var offset = _layout.BufferOffset(Tsp.Writer(word), Tsp.BufferId(word));
        var length = SpeculativeBytes(word);
        var images = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            images[i] = new byte[length];
            var batch = new VerbBatch(2);
            batch.CompareAndSwap(RegionId, offset + SwarmLayout.VwOffset, 0, PinnedMark(word));
            batch.Read(RegionId, offset, images[i]);
            batches[i] = batch;
        }

        ThrowIfTooOld(read);
        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        var (withdrawn, more) = await DecideAsync(word, pin: true, first: call, read).ConfigureAwait(false);
        if (read is not null)
        {
            read.Roundtrips += 1 + more;
        }

        var copy = FirstValidCopy(word, call, images);
        copy ??= await ReadBufferAsync(word, read).ConfigureAwait(false);
        return (withdrawn, copy?.Prev ?? 0, copy);
    }

    /// <summary>
    /// A whole copy of the write's buffer from any node that has one: first a majority's
    /// replies, then the rest; null when no node has it (reused after its grace period).
    /// <paramref name="everyNode"/> (recovery only) waits for every node's reply first.
    /// </summary>
    private async Task<BufferCopy?> ReadBufferAsync(ulong word, ReadContext? read, bool everyNode = false)
    {
        var offset = _layout.BufferOffset(Tsp.Writer(word), Tsp.BufferId(word));
        var length = SpeculativeBytes(word);
        for (var pass = 0; pass < 2; pass++)
        {
            var images = new byte[_nodes.Count][];
            var batches = NewBatches();
            for (var i = 0; i < batches.Length; i++)
            {
                images[i] = new byte[length];
                batches[i] = new VerbBatch(1);
                batches[i]!.Read(RegionId, offset, images[i]);
            }

            var call = everyNode
                ? await RoundtripToEveryNodeAsync(batches).ConfigureAwait(false)
                : await RoundtripAsync(batches).ConfigureAwait(false);
            if (read is not null)
            {
                read.Roundtrips++;
            }

            // Wait-free: the majority's answers and whatever else has arrived, never a wait for
            // one particular node. A word whose buffer no majority holds belongs to an unfinished
            // write: the caller takes a new snapshot (spec §2.4 FINISH).
            var copy = FirstValidCopy(word, call, images, includeLate: true);
            if (copy is not null)
            {
                return copy;
            }

            // Perhaps longer than the speculative read: fetch the length a copy declares.
            var declared = DeclaredLength(word, call, images);
            if (declared <= length - SwarmLayout.BufferHeaderBytes)
            {
                return null;
            }

            length = SwarmLayout.BufferHeaderBytes + declared;
        }

        return null;
    }

    private BufferCopy? FirstValidCopy(ulong word, QuorumCall call, byte[][] images, bool includeLate = false)
    {
        for (var i = 0; i < images.Length; i++)
        {
            var ok = call.Succeeded[i]
                || (includeLate && call.Batches[i] is { Error: TransportError.None, IsPosted: false });
            if (!ok)
            {
                continue;
            }

            var image = images[i];
            if (Tsp.Identity(BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(SwarmLayout.BufferTspOffset)))
                != Tsp.Identity(word))
            {
                continue;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(40));
            if (length < 0 || length > image.Length - SwarmLayout.BufferHeaderBytes)
            {
                continue;
            }

            var value = image.AsSpan(SwarmLayout.BufferHeaderBytes, length);
            if (!ValueChecksum.Matches(word, value, image.AsSpan(24, ValueChecksum.Bytes)))
            {
                continue;
            }

            return new BufferCopy(
                BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(SwarmLayout.PrevOffset)),
                value.ToArray(),
                image.AsSpan(SwarmLayout.PrevOffset, SwarmLayout.BufferHeaderBytes - SwarmLayout.PrevOffset + length).ToArray());
        }

        return null;
    }

    private int DeclaredLength(ulong word, QuorumCall call, byte[][] images)
    {
        var declared = 0;
        for (var i = 0; i < images.Length; i++)
        {
            if (call.Batches[i] is { Error: TransportError.None, IsPosted: false }
                && Tsp.Identity(BinaryPrimitives.ReadUInt64LittleEndian(images[i].AsSpan(SwarmLayout.BufferTspOffset))) == Tsp.Identity(word))
            {
                declared = Math.Max(declared, BinaryPrimitives.ReadInt32LittleEndian(images[i].AsSpan(40)));
            }
        }

        return Math.Min(declared, _layout.Options.MaxValueBytes);
    }

    /// <summary>A first READ long enough for small values, never past the writer's arena.</summary>
    private int SpeculativeBytes(ulong word)
    {
        var wanted = SwarmLayout.BufferHeaderBytes + Math.Min(
            _layout.Options.MaxValueBytes, Math.Max(_layout.Options.InPlaceValueBytes, 64));
        var offset = _layout.BufferOffset(Tsp.Writer(word), Tsp.BufferId(word));
        return (int)Math.Min((ulong)wanted, _layout.ArenaEnd(Tsp.Writer(word)) - offset);
    }

    /// <summary>
    /// One roundtrip: the key's bucket from every node, with the bucket's in-place records from
    /// the f+1 nodes that hold them.
    /// </summary>
    private async Task<SwarmSnapshot> SnapshotAsync(ulong keyHash, int needed)
    {
        var bucket = _layout.BucketOf(keyHash);
        var directories = new byte[_nodes.Count][];
        var inPlace = new byte[]?[_nodes.Count];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            directories[i] = new byte[_layout.DirectoryBytes];
            var batch = new VerbBatch(2);
            batch.Read(RegionId, _layout.BucketOffset(bucket), directories[i]);
            if (Mode == SwarmKvMode.Swarm && _layout.HoldsInPlace(keyHash, i, _nodes.Count))
            {
                inPlace[i] = new byte[_layout.InPlaceBlockBytes];
                batch.Read(RegionId, _layout.InPlaceBlockOffset(bucket), inPlace[i]!);
            }

            batches[i] = batch;
        }

        var call = await RoundtripAsync(batches, needed).ConfigureAwait(false);
        return Snapshot(keyHash, call, directories, inPlace);
    }

    /// <summary>
    /// A read older than half the grace period posts no more pins or write-backs and starts
    /// over: the buffer or entry they target may be reused once the grace period has passed, and
    /// a batch stamped now lands within <see cref="SwarmOptions.MaxInFlight"/> or never (spec
    /// §3.5; README, "Time bounds"). Checked before every such roundtrip, not once.
    /// </summary>
    private void ThrowIfTooOld(ReadContext? read)
    {
        if (read is not null && _time.GetElapsedTime(read.Started) > _layout.Options.BufferGracePeriod / 2)
        {
            throw new ReadTooOldException();
        }
    }

    /// <summary>Unwinds a read attempt that grew too old to mutate anything; the read starts over.</summary>
    private sealed class ReadTooOldException : Exception;

    /// <summary>The state of one read attempt (spec §2.4: seenAny, seenMax, subst).</summary>
    private sealed class ReadContext(long started)
    {
        public long Started { get; } = started;

        public int Roundtrips { get; set; }

        /// <summary>How many nodes each snapshot waits for: a majority, or every node (refresh, repair).</summary>
        public int Needed { get; init; }

        /// <summary>How many nodes must confirm a write-back: a majority, or every survivor (repair).</summary>
        public int WriteBackNodes { get; init; }

        /// <summary>The highest word identity (any writer, verified or not) the read saw.</summary>
        public ulong Observed { get; set; }

        public HashSet<ulong> SeenAny { get; } = [];

        public Dictionary<int, ulong> SeenMax { get; } = [];

        public Dictionary<ulong, ulong> Substitutions { get; } = [];

        public HashSet<ulong> Replacements { get; } = [];

        public void Substitute(ulong dropped, ulong replacement)
        {
            Substitutions[dropped] = replacement;
            if (replacement != 0)
            {
                Replacements.Add(Tsp.Identity(replacement));
            }
        }
    }
}
