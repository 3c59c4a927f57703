using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

/// <summary>
/// A Safe-Guess client (spec swarm.md §2.4, with In-n-Out §3): linearizable, wait-free
/// replicated registers on n = 2f+1 memory nodes, one per 64-bit key. A fresh write and a read
/// whose in-place copy is current cost one roundtrip; every wait is for a majority, so up to f
/// memory nodes may crash with no pause, no leader and no failure detector. Each client has a
/// writer id, unique in the cluster, that names its entries in every bucket and its buffer arena;
/// a client that restarts with the same id rebuilds what it knew from the memory nodes first
/// (<see cref="StartAsync"/>). Thread-safe across keys; ops on one key run one at a time.
/// With <see cref="SwarmKvMode.DmAbd"/> it runs the 2-roundtrip ABD baseline instead.
/// </summary>
public sealed partial class SafeGuessClient
{
    private const uint RegionId = 0;

    private readonly IReadOnlyList<QueuePair> _nodes;
    private readonly SwarmLayout _layout;
    private readonly GuessClock _clock;
    private readonly TimestampRing _ring;
    private SystemSwarmClock _reference;
    private readonly TimeProvider _time;
    private readonly BufferArena _arena;
    private readonly Dictionary<ulong, SwarmObjectState> _objects = [];
    private readonly Dictionary<int, ulong[]> _ownEntries = [];
    private readonly Dictionary<(int Bucket, int Entry), long> _releasedEntries = [];
    private readonly object _lock = new();
    private readonly WriterLease? _lease;
    private readonly AsyncLocal<QueuePair[]?> _pinned = new();

    /// <summary>Per node, a closed stand-in when this client's recovery did not read it (README, "Reconnects").</summary>
    private QueuePair?[] _missed;
    private ulong _incarnation;
    private string? _fenced;

    private SafeGuessClient(
        int writerId, IReadOnlyList<QueuePair> nodes, SwarmLayout layout, ISwarmClock? clock,
        TimeProvider time, SwarmKvMode mode, WriterLease? lease)
    {
        Mode = mode;
        _lease = lease;
        WriterId = writerId;
        _nodes = nodes;
        _missed = new QueuePair?[nodes.Count];
        _layout = layout;
        _ring = layout.Ring;
        // Replaced by the cluster's frame before first use (LoadFrameAsync).
        _reference = new SystemSwarmClock(time, DateTimeOffset.UnixEpoch, layout.Options.TimestampUnit);
        var unit = layout.Options.TimestampUnit.Ticks;
        _clock = new GuessClock(clock, _ring, _reference, (ulong)((layout.Options.MaxInFlight.Ticks + unit - 1) / unit));
        _time = time;
        _arena = new BufferArena(layout.Options.ArenaBytesPerWriter, layout.Options.BufferGracePeriod, time);
        Quorum = nodes.Count / 2 + 1;
    }

    public int WriterId { get; }

    public SwarmKvMode Mode { get; }

    public SwarmClientCounters Counters { get; } = new();


    public SwarmLayout Layout => _layout;

    /// <summary>Replies every roundtrip waits for: f+1 of 2f+1.</summary>
    public int Quorum { get; }

    internal SwarmProtocolMutation Mutation { get; set; }

    /// <summary>Why this client stopped for good (its writer id belongs to another client now); null while it runs.</summary>
    public string? FencedReason => Volatile.Read(ref _fenced);

    /// <summary>Buffers of this writer that are live (allocated, not retired): a failed write must not leak one.</summary>
    internal int LiveBuffers
    {
        get
        {
            lock (_lock)
            {
                return _arena.LiveCount;
            }
        }
    }

    /// <summary>
    /// Connects a writer: checks the memory nodes, then scans them for what this writer id left
    /// behind (its words in every object and the buffers they point to), so that a restarted
    /// client neither reuses a live buffer nor CASes from a stale expected value. With a
    /// <paramref name="lease"/> on the id, it first waits until every batch of the id's previous
    /// holder has landed or can no longer land (<see cref="WriterLease.SafeFrom"/>), and it
    /// posts nothing whose deadline lies past the lease (README, "Fencing").
    /// </summary>
    public static async Task<SafeGuessClient> StartAsync(
        int writerId,
        IReadOnlyList<QueuePair> memoryNodes,
        SwarmLayout layout,
        ISwarmClock? clock,
        TimeProvider? time = null,
        SwarmKvMode mode = SwarmKvMode.Swarm,
        WriterLease? lease = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memoryNodes);
        ArgumentNullException.ThrowIfNull(layout);
        if (writerId < 1 || writerId > layout.Options.MaxWriters)
        {
            throw new ArgumentOutOfRangeException(nameof(writerId), writerId,
                $"writer ids are 1..{layout.Options.MaxWriters} (SwarmOptions.MaxWriters)");
        }

        if (memoryNodes.Count < 1 || memoryNodes.Count % 2 == 0)
        {
            throw new ArgumentException(
                $"SWARM needs an odd number 2f+1 of memory nodes, not {memoryNodes.Count}", nameof(memoryNodes));
        }

        foreach (var node in memoryNodes)
        {
            // An unreachable node (a minority may be down, or reconnecting) has no region table to check.
            if (node.State == QueuePairState.Closed)
            {
                continue;
            }

            if (node.RemoteRegions.Count == 0 || node.RemoteRegions[0].Length < layout.RegionBytes)
            {
                throw new ArgumentException(
                    $"memory node {node.RemoteNode} needs a region 0 of at least {layout.RegionBytes} bytes " +
                    "for this SwarmOptions", nameof(memoryNodes));
            }
        }

        if (lease is not null && lease.WriterId != writerId)
        {
            throw new ArgumentException($"the lease is for writer id {lease.WriterId}, not {writerId}", nameof(lease));
        }

        time ??= TimeProvider.System;
        if (lease is not null && lease.SafeFrom - time.GetUtcNow() is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        var client = new SafeGuessClient(writerId, memoryNodes, layout, clock, time, mode, lease);
        client.PinNodes();
        await client.ClaimIncarnationAsync().ConfigureAwait(false);
        // Guesses stay near the clock that deadlines are judged by, in units from the cluster's
        // epoch: timestamps wrap, and only words near the present keep their order.
        await client.LoadFrameAsync(initialize: true).ConfigureAwait(false);
        await client.RecoverAsync().ConfigureAwait(false);
        client.SetAsideMissedNodes();
        if (client.SinceRefreshMark > layout.Options.TimestampRefreshDeadline)
        {
            // The cluster sat unrefreshed (idle, or a node away): catch up before the first write.
            await client.RefreshStaleAsync(force: true).ConfigureAwait(false);
        }

        return client;
    }

    /// <summary>
    /// Raises this writer id's incarnation on every node (FAA) and takes the new value. A client
    /// still running with the same id (a zombie after a restart) sees a larger incarnation in its
    /// next write's first batch and stops (<see cref="CheckIncarnation"/>).
    /// </summary>
    private async Task ClaimIncarnationAsync()
    {
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new VerbBatch(1);
            batches[i]!.FetchAndAdd(RegionId, _layout.IncarnationOffset(WriterId), 1);
        }

        var call = await RoundtripAsync(batches).ConfigureAwait(false);
        for (var i = 0; i < batches.Length; i++)
        {
            if (call.Succeeded[i])
            {
                _incarnation = Math.Max(_incarnation, batches[i]!.Result(0) + 1);
            }
        }
    }

    /// <summary>Throws when a replying node shows a later incarnation of this writer id.</summary>
    private void CheckIncarnation(QuorumCall call, byte[][] incarnations)
    {
        for (var i = 0; i < incarnations.Length; i++)
        {
            if (call.Succeeded[i] && BinaryPrimitives.ReadUInt64LittleEndian(incarnations[i]) > _incarnation)
            {
                throw Fence(
                    $"writer {WriterId} was started again elsewhere (incarnation " +
                    $"{BinaryPrimitives.ReadUInt64LittleEndian(incarnations[i])}, this client is {_incarnation}); " +
                    "this client stops: writer ids must be unique among running clients");
            }
        }
    }

    /// <summary>
    /// Stops this client for good: its writer id is another client's now, and whatever it posted
    /// from here on could land in entries and buffers the new holder allocates. Every later op
    /// refuses at once (README, "Fencing").
    /// </summary>
    private SwarmWriterConflictException Fence(string reason)
    {
        Interlocked.CompareExchange(ref _fenced, reason, null);
        return new SwarmWriterConflictException($"this SWARM client is now fenced and refuses every op: {reason}");
    }

    /// <summary>
    /// Stops this client for good, as a fence would: every later op and every later roundtrip of
    /// an op in flight refuses. Its batches already posted land within
    /// <see cref="SwarmOptions.MaxInFlight"/> or never; a new client under the same id may start
    /// once that has passed, and recovers what they left like a crashed holder's.
    /// </summary>
    public void Retire(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        _ = Fence(reason);
    }

    private void ThrowIfFenced()
    {
        if (Volatile.Read(ref _fenced) is { } reason)
        {
            throw new SwarmWriterConflictException($"this SWARM client is fenced and refuses every op: {reason}");
        }
    }

    /// <summary>Waits for the key's previous op (and its background step), then claims it.</summary>
    private async Task<SwarmObjectState> EnterAsync(ulong keyHash)
    {
        ThrowIfFenced();
        if (keyHash == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(keyHash), "key 0 is reserved for free entries");
        }

        SwarmObjectState state;
        while (true)
        {
            Task released;
            lock (_lock)
            {
                if (!_objects.TryGetValue(keyHash, out state!))
                {
                    state = new SwarmObjectState(keyHash, _layout.BucketOf(keyHash), _nodes.Count, _time);
                    _objects.Add(keyHash, state);
                }

                if (!state.Busy)
                {
                    state.Busy = true;
                    break;
                }

                // Ops on one key queue (a sweep may hold the key while a caller arrives); the
                // state is looked up again because a sweep may have released it meanwhile.
                // Continuations run where Leave completes this (outside the lock), not on the
                // thread pool: a simulation drives every step of a run on one thread.
                state.Released ??= new TaskCompletionSource();
                released = state.Released.Task;
            }

            await released.ConfigureAwait(false);
        }

        try
        {
            await state.Background.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is QuorumUnavailableException or TransportException)
        {
            // The background verify is an optimisation; its CAS results are re-learnt on demand.
        }
        catch
        {
            Leave(state);
            throw;
        }

        return state;
    }

    /// <summary>
    /// The client's entry for the key, taken on its first write from its own part of the bucket,
    /// which no other writer touches (README, "The replicated index").
    /// </summary>
    private ulong OwnSlotOffset(SwarmObjectState state)
    {
        if (state.Entry < 0)
        {
            lock (_lock)
            {
                if (!_ownEntries.TryGetValue(state.Bucket, out var keys))
                {
                    keys = new ulong[_layout.Options.EntriesPerWriter];
                    _ownEntries.Add(state.Bucket, keys);
                }

                var free = FreeEntry(state.Bucket, keys);
                if (free < 0)
                {
                    throw new SwarmCapacityException(
                        $"writer {WriterId} has all {keys.Length} of its entries in bucket {state.Bucket} in use; " +
                        "raise SwarmOptions.BucketCount or EntriesPerWriter");
                }

                keys[free] = state.KeyHash;
                state.Entry = free;
            }
        }

        return _layout.EntryOffset(state.Bucket, WriterId, state.Entry) + SwarmLayout.SlotOffsetInEntry;
    }

    private ulong OwnEntryOffset(SwarmObjectState state) => OwnSlotOffset(state) - SwarmLayout.SlotOffsetInEntry;

    /// <summary>
    /// A free entry of this writer in the bucket, skipping entries released less than the grace
    /// period ago: a slow reader's write-back for the released key may still land in one (README,
    /// "Time bounds"). -1 when none. Called under the lock.
    /// </summary>
    private int FreeEntry(int bucket, ulong[] keys)
    {
        for (var entry = 0; entry < keys.Length; entry++)
        {
            if (keys[entry] != 0)
            {
                continue;
            }

            if (_releasedEntries.TryGetValue((bucket, entry), out var released))
            {
                if (_time.GetElapsedTime(released) < _layout.Options.BufferGracePeriod)
                {
                    continue;
                }

                _releasedEntries.Remove((bucket, entry));
            }

            return entry;
        }

        return -1;
    }

    private static byte[] KeyHashBytes(ulong keyHash)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, keyHash);
        return bytes;
    }

    private void Leave(SwarmObjectState state)
    {
        TaskCompletionSource? released;
        lock (_lock)
        {
            state.Busy = false;
            released = state.Released;
            state.Released = null;
        }

        released?.TrySetResult();
    }

    private Task<QuorumCall> RoundtripAsync(VerbBatch?[] batches) => RoundtripAsync(batches, Quorum);

    /// <summary>A follow-up roundtrip to the nodes still missing, waiting only for as many as the quorum lacks.</summary>
    private Task<QuorumCall> RoundtripAsync(VerbBatch?[] batches, bool[] done) =>
        RoundtripAsync(batches, Quorum - done.Count(d => d));

    /// <summary>One roundtrip that completes when <paramref name="needed"/> nodes have answered.</summary>
    private Task<QuorumCall> RoundtripAsync(VerbBatch?[] batches, int needed) => StartRoundtrip(batches, needed).Quorum;

    /// <summary>
    /// One roundtrip that hears from every node that can still answer: it waits for a majority,
    /// then for every other batch to complete too, answered or failed. Only recovery waits so:
    /// a word the previous holder of this id left on a minority may sit on any node, and only
    /// the nodes that answer can show it (README, "Restart safety"). The wait is bounded: each
    /// batch executes within <see cref="SwarmOptions.MaxInFlight"/> of being stamped or is
    /// refused, and a node that never answers fails the batch at the transport's operation
    /// timeout (its queue pair closes, so this client never posts there again).
    /// Judge each node with <see cref="Answered"/>.
    /// </summary>
    private async Task<QuorumCall> RoundtripToEveryNodeAsync(VerbBatch?[] batches)
    {
        var call = StartRoundtrip(batches, Quorum);
        await call.Quorum.ConfigureAwait(false);
        await call.AllCompleted.ConfigureAwait(false);
        return call;
    }

    /// <summary>Whether node <paramref name="node"/>'s batch of the call has completed without error (in the quorum or later).</summary>
    private static bool Answered(QuorumCall call, int node) =>
        call.Batches[node] is { IsPosted: false, Error: TransportError.None };

    /// <summary>
    /// Every roundtrip of the client goes through here: a fenced client posts nothing, and every
    /// batch carries a deadline of now + <see cref="SwarmOptions.BatchLifetime"/>, cut to the
    /// lease's expiry, so no batch of this client lands after its lease ends plus the in-flight
    /// bound (README, "Fencing" and "Time bounds").
    /// </summary>
    private QuorumCall StartRoundtrip(VerbBatch?[] batches, int needed)
    {
        ThrowIfFenced();
        var now = _time.GetUtcNow();
        var notAfter = now + _layout.Options.BatchLifetime;
        if (_lease is { } lease)
        {
            if (lease.Lost.IsCancellationRequested)
            {
                throw Fence($"the lease of writer id {WriterId} was lost: {lease.LostReason}");
            }

            var validUntil = lease.ValidUntil;
            if (validUntil <= now)
            {
                // Not a fence yet: a renewal may still extend the lease; nothing is posted.
                throw new SwarmWriterConflictException(
                    $"the lease of writer id {WriterId} ran out at {validUntil:O} by this client's clock " +
                    "(renewals failing?); it posts nothing its lease does not cover");
            }

            if (notAfter > validUntil)
            {
                notAfter = validUntil;
            }
        }

        foreach (var batch in batches)
        {
            if (batch is not null)
            {
                batch.NotAfter = notAfter;
            }
        }

        return QuorumCall.Start(_pinned.Value ?? _nodes, batches, needed);
    }

    /// <summary>
    /// Pins every node's current connection (<see cref="QueuePair.Pin"/>) for the operation that
    /// calls this at its start, and for everything it awaits or starts (its background step): a
    /// node whose connection fails during the operation stays failed for it, even once it is
    /// reconnected, so no batch of the operation lands after an earlier one was lost there
    /// (README, "Reconnects").
    /// </summary>
    private void PinNodes()
    {
        var pinned = new QueuePair[_nodes.Count];
        for (var i = 0; i < pinned.Length; i++)
        {
            pinned[i] = _missed[i] ?? _nodes[i].Pin();
        }

        _pinned.Value = pinned;
    }

    /// <summary>
    /// The memory nodes this client's recovery did not read (their connection was down or failed
    /// during it), by index. The client never posts to them: a word its writer id's previous holder
    /// left there only is unknown to it (README, "Reconnects"). A new client under the same lease
    /// reads them once they are back.
    /// </summary>
    public IReadOnlyList<int> MissedNodes => [.. Enumerable.Range(0, _nodes.Count).Where(i => _missed[i] is not null)];

    /// <summary>
    /// After recovery: a node whose pinned connection closed during it was not read to the end,
    /// so later operations pin a closed stand-in for it instead of its reconnected pair.
    /// </summary>
    private void SetAsideMissedNodes()
    {
        var pins = _pinned.Value!;
        for (var i = 0; i < pins.Length; i++)
        {
            if (pins[i].State == QueuePairState.Closed)
            {
                _missed[i] = new UnreachableQueuePair(_nodes[i].LocalNode, _nodes[i].RemoteNode,
                    $"memory node {_nodes[i].RemoteNode} was not read by the recovery of writer id {WriterId} " +
                    $"(incarnation {_incarnation}); this client does not use it");
            }
        }
    }

    private VerbBatch?[] NewBatches() => new VerbBatch?[_nodes.Count];

    /// <summary>
    /// Makes <paramref name="word"/> the value of this client's slot on a quorum: CAS from the
    /// expected value, and where the expectation was wrong (a restart, a lost background step)
    /// CAS again from what the node returned. <paramref name="first"/> is a call whose batches
    /// already carried that CAS as their last op; <paramref name="extra"/> builds the ops that
    /// go before the CAS in the first batch to each node.
    /// </summary>
    private async Task<int> PublishAsync(
        SwarmObjectState state, ulong word, QuorumCall? first, Func<int, VerbBatch>? extra)
    {
        var roundtrips = 0;
        var done = new bool[_nodes.Count];
        var call = first;
        while (true)
        {
            if (call is null)
            {
                var batches = NewBatches();
                for (var i = 0; i < batches.Length; i++)
                {
                    if (done[i])
                    {
                        continue;
                    }

                    var batch = extra?.Invoke(i) ?? new VerbBatch(3);
                    batch.Write(RegionId, OwnEntryOffset(state), KeyHashBytes(state.KeyHash));
                    batch.CompareAndSwap(RegionId, OwnSlotOffset(state), state.Expected[i], word);
                    batches[i] = batch;
                }

                call = await RoundtripAsync(batches, done).ConfigureAwait(false);
                roundtrips++;
            }

            for (var i = 0; i < _nodes.Count; i++)
            {
                var batch = call.Batches[i];
                if (!call.Succeeded[i] || batch is null || done[i])
                {
                    continue;
                }

                var old = batch.Result(batch.Count - 1);
                // Only this client writes its slot, so a value at or above the word means a
                // CAS of ours that ran already (a retry after a lost reply).
                if (old == state.Expected[i] || old == word)
                {
                    state.Expected[i] = word;
                    done[i] = true;
                }
                else if (_ring.IsAfter(old, word))
                {
                    // Only this writer id CASes this slot: a larger word there was written by
                    // another client running with the same id.
                    throw Fence(
                        $"writer {WriterId}'s slot of key {state.KeyHash:x} on node {i} holds " +
                        $"{Tsp.Describe(old)}, above the {Tsp.Describe(word)} it is publishing: another " +
                        $"client runs as writer {WriterId}; writer ids must be unique among running clients");
                }
                else
                {
                    state.Expected[i] = old;
                }
            }

            // Nodes outside this quorum run the same CAS later (per-connection order), so expect it.
            for (var i = 0; i < _nodes.Count; i++)
            {
                if (!call.Succeeded[i] && call.Batches[i] is not null)
                {
                    state.Expected[i] = word;
                }
            }

            if (done.Count(d => d) >= Quorum)
            {
                return roundtrips;
            }

            call = null;
            extra = null;
        }
    }

    /// <summary>
    /// The buffer image of a write from <c>prev</c> on: prev, word, checksum, length, value. It
    /// never covers the validator word: a reader may have pinned this write on a node before the
    /// image lands there, and the pin must survive it (see <see cref="DecideAsync"/>).
    /// </summary>
    private static byte[] BufferImage(ulong prev, ulong word, ReadOnlySpan<byte> value)
    {
        const int At = SwarmLayout.PrevOffset;
        var image = new byte[SwarmLayout.BufferHeaderBytes - At + value.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(SwarmLayout.PrevOffset - At), prev);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(SwarmLayout.BufferTspOffset - At), word);
        ValueChecksum.Compute(word, value, image.AsSpan(24 - At, ValueChecksum.Bytes));
        BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(40 - At), value.Length);
        value.CopyTo(image.AsSpan(SwarmLayout.BufferHeaderBytes - At));
        return image;
    }

    /// <summary>The validator value of a reader's pin of this write.</summary>
    private static ulong PinnedMark(ulong word) => Tsp.Identity(word) | 1;

    /// <summary>The validator value of the writer's withdrawal of this write.</summary>
    private static ulong WithdrawnMark(ulong word) => Tsp.Identity(word);

    /// <summary>
    /// The flag race of spec §2.4 on the write's validator word, from one side: CAS the word to
    /// this side's mark on every node until a majority has decided, and report whether any
    /// decided node holds the other side's mark. Marks carry the write's identity, so whatever a
    /// reused buffer's word held for an earlier write counts as undecided (CAS from it), and a
    /// decision for this write, once made on a node, never changes there. Reader and writer
    /// majorities meet, so they cannot both miss the other's mark (§2.5, 4).
    /// <paramref name="first"/> carries the first CAS (op 0, from 0) when the caller sent it.
    /// A reader's pin (<paramref name="read"/> set) posts each round only while the read is young
    /// enough that its marks land before the buffer can be reused.
    /// </summary>
    private async Task<(bool OtherSeen, int Roundtrips)> DecideAsync(ulong word, bool pin, QuorumCall? first, ReadContext? read)
    {
        var mine = pin ? PinnedMark(word) : WithdrawnMark(word);
        var theirs = pin ? WithdrawnMark(word) : PinnedMark(word);
        var offset = _layout.BufferOffset(Tsp.Writer(word), Tsp.BufferId(word)) + SwarmLayout.VwOffset;
        var decided = new bool[_nodes.Count];
        var expected = new ulong[_nodes.Count];
        var otherSeen = false;
        var roundtrips = 0;
        var call = first;
        while (true)
        {
            if (call is null)
            {
                ThrowIfTooOld(read);
                var batches = NewBatches();
                for (var i = 0; i < batches.Length; i++)
                {
                    if (!decided[i])
                    {
                        batches[i] = new VerbBatch(1);
                        batches[i]!.CompareAndSwap(RegionId, offset, expected[i], mine);
                    }
                }

                call = await RoundtripAsync(batches, decided).ConfigureAwait(false);
                roundtrips++;
            }

            for (var i = 0; i < _nodes.Count; i++)
            {
                if (!call.Succeeded[i] || decided[i])
                {
                    continue;
                }

                var old = call.Batches[i]!.Result(0);
                if (old == expected[i] || old == mine)
                {
                    decided[i] = true;
                }
                else if (old == theirs)
                {
                    decided[i] = true;
                    otherSeen = true;
                }
                else
                {
                    expected[i] = old; // undecided for this write: left over from a reused buffer
                }
            }

            if (decided.Count(d => d) >= Quorum)
            {
                return (otherSeen, roundtrips);
            }

            call = null;
        }
    }

    /// <summary>The in-place record: key hash, word, checksum, length, value (spec §3.2).</summary>
    private static byte[] InPlaceImage(ulong keyHash, ulong word, ReadOnlySpan<byte> value)
    {
        var image = new byte[SwarmLayout.InPlaceHeaderBytes + value.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(image, keyHash);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(8), word);
        ValueChecksum.Compute(word, value, image.AsSpan(16, ValueChecksum.Bytes));
        BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(32), value.Length);
        value.CopyTo(image.AsSpan(SwarmLayout.InPlaceHeaderBytes));
        return image;
    }
}
