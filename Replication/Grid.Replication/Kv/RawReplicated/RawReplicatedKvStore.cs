using System.Collections.Concurrent;
using Grid.RdmaTransport;
using Grid.Replication.Common;
using Grid.Replication.Kv.Raw;

namespace Grid.Replication.Kv.RawReplicated;

/// <summary>
/// raw-replicated, a cost baseline and not a store to use: RAW's table
/// (<see cref="RawRecordLayout"/>, with a version word) on each of 2f+1 memory nodes, a put a
/// plain WRITE of the record to every node that completes when a majority acknowledged, a get a
/// READ of the record from every node that completes at the first majority and returns the copy
/// with the highest version (<see cref="WriteVersionClock"/>). One roundtrip per get, put and
/// delete of a known key: the physical minimum for keeping 2f+1 copies, on the same fabric and
/// CPU as SWARM and DM-ABD. Over TCP on a small machine every replicated op wakes 2f+1
/// memory-node processes, so SWARM is compared with this, not only with one-node RAW, to see what
/// the protocol costs rather than the CPU.
/// <para>
/// It gives NO linearizability and NO crash safety. A get racing a put may return a torn value
/// (old and new bytes mixed, or a version from one write with the value of another). A get
/// writes nothing back, so two gets after a put that reached only some nodes can disagree. Writes
/// are unconditional and nodes never compare versions: a put's WRITE to the node it did not
/// wait for can land after a newer put's WRITE from another client and overwrite it there, and
/// later gets then see the older value on that node (and return it whenever the newer copy
/// is not among the majority they heard from). Versions come from the writers' clocks, so
/// writers with skewed clocks order their puts by clock, not by real time. A failed put may
/// have taken effect on some nodes.
/// </para>
/// <para>
/// Creating a key claims a record along the key's probe sequence by CAS(keyHash: 0 -> hash) and a
/// READ of the header on every node, one roundtrip per probe: the record is the key's when a
/// majority of nodes hold its hash (<see cref="ClaimAsync"/>). Each node's keyHash word changes
/// from 0 once and a majority owner then rewrites it on every node, so at most one key owns a
/// record and a client caches key -> record for good, as RAW does; gets and puts of a cached key
/// are one roundtrip.
/// </para>
/// Thread-safe; one operation per key at a time (<see cref="IKeyValueStore"/>). The store does
/// not own the queue pairs: dispose them after the store.
/// </summary>
public sealed class RawReplicatedKvStore : IKeyValueStore
{
    public const string SystemName = "raw-replicated";

    private const uint RegionId = RawRecordLayout.RegionId;

    private readonly QueuePair[] _nodes;
    private readonly int _quorum;
    private readonly RawRecordLayout _layout;
    private readonly WriteVersionClock _clock;
    private readonly ConcurrentDictionary<byte[], int> _locations = new(ByteKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    private RawReplicatedKvStore(QueuePair[] nodes, RawRecordLayout layout, WriteVersionClock clock, int writerId)
    {
        _nodes = nodes;
        _quorum = nodes.Length / 2 + 1;
        _layout = layout;
        _clock = clock;
        WriterId = writerId;
        _lookup = _locations.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public string System => SystemName;

    /// <summary>The low bits of every version this client writes; tells equal clock readings apart.</summary>
    public int WriterId { get; }

    /// <summary>Keys this client knows the record of (each get or put of them costs 1 roundtrip).</summary>
    public int CachedKeys => _locations.Count;

    /// <summary>The size region 0 of every memory node needs for <paramref name="options"/>.</summary>
    public static long RegionBytesFor(RawKvOptions options) =>
        new RawRecordLayout(options, versioned: true).RegionBytes;

    /// <summary>
    /// A client of the tables in region 0 of <paramref name="memoryNodes"/> (2f+1 of them, the
    /// same list in the same order for every client). <paramref name="writerId"/>
    /// (1..<see cref="WriteVersionClock.WriterIdMax"/>) should differ between clients, so that
    /// their versions differ; the clock comes from <paramref name="time"/> (the system clock by
    /// default). Checks the region and rights of each reachable node (a minority may be an
    /// <see cref="UnreachableQueuePair"/>); touches no memory (fresh regions are an empty table).
    /// </summary>
    public static Task<RawReplicatedKvStore> StartAsync(
        int writerId, IReadOnlyList<QueuePair> memoryNodes, RawKvOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(memoryNodes);
        if (memoryNodes.Count == 0 || memoryNodes.Count % 2 == 0)
        {
            throw new ArgumentException(
                $"raw-replicated needs an odd number of memory nodes (2f+1: 1, 3, 5, ...), not {memoryNodes.Count}",
                nameof(memoryNodes));
        }

        if (writerId is < 1 or > WriteVersionClock.WriterIdMax)
        {
            throw new ArgumentOutOfRangeException(nameof(writerId), writerId,
                $"raw-replicated writer ids are 1..{WriteVersionClock.WriterIdMax}");
        }

        // A copy: the options object stays mutable, the layout must not move under the store.
        var layout = new RawRecordLayout(options, versioned: true);
        var nodes = memoryNodes.ToArray();
        var reachable = 0;
        foreach (var node in nodes)
        {
            ArgumentNullException.ThrowIfNull(node, nameof(memoryNodes));
            // An unreachable node (a minority may be down) has no region table to check; its
            // batches fail, and every op goes on with the majority.
            if (node is not UnreachableQueuePair)
            {
                layout.CheckRegion(node, SystemName);
                reachable++;
            }
        }

        if (reachable < nodes.Length / 2 + 1)
        {
            throw new QuorumUnavailableException(
                $"only {reachable} of {nodes.Length} memory nodes are reachable; raw-replicated needs " +
                $"a majority ({nodes.Length / 2 + 1})", null);
        }

        var clock = new WriteVersionClock(writerId, time ?? TimeProvider.System);
        return Task.FromResult(new RawReplicatedKvStore(nodes, layout, clock, writerId));
    }

    /// <summary>The newest copy a majority returned; Observed is its version (0: absent).</summary>
    public async Task<KvReadResult> GetAsync(ReadOnlyMemory<byte> key)
    {
        _layout.CheckKey(key);
        var found = await LocateAsync(key, RawRecordLayout.Hash(key.Span)).ConfigureAwait(false);
        if (found.Record is not { } record)
        {
            return new KvReadResult(null, found.Roundtrips);
        }

        var value = RawRecordLayout.IsDeleted(record) ? null : _layout.ValueOf(record);
        return new KvReadResult(value, found.Roundtrips, _layout.VersionOf(record));
    }

    /// <summary>WRITEs the record to every node; done when a majority acknowledged. Write is its version.</summary>
    public async Task<KvWriteResult> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value)
    {
        _layout.CheckKey(key);
        _layout.CheckValue(value);
        var hash = RawRecordLayout.Hash(key.Span);
        var roundtrips = 0;
        if (!_lookup.TryGetValue(key.Span, out var index))
        {
            (index, roundtrips) = await ClaimAsync(key, hash).ConfigureAwait(false);
        }

        var version = _clock.Next();
        var record = _layout.Encode(hash, key.Span, value.Span, deleted: false, version);
        await WriteEverywhereAsync(index, record).ConfigureAwait(false);
        _lookup.TryAdd(key.Span, index);
        return new KvWriteResult(roundtrips + 1, version);
    }

    /// <summary>The same as <see cref="PutAsync"/>: the claim is the lookup, as in RAW.</summary>
    public Task<KvWriteResult> InsertAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) =>
        PutAsync(key, value);

    /// <summary>
    /// WRITEs a tombstone with a fresh version to every node (the record stays the key's: nothing
    /// is reclaimed). A key this client does not know is looked up first; an absent one costs
    /// nothing more.
    /// </summary>
    public async Task<KvWriteResult> DeleteAsync(ReadOnlyMemory<byte> key)
    {
        _layout.CheckKey(key);
        var hash = RawRecordLayout.Hash(key.Span);
        var roundtrips = 0;
        if (!_lookup.TryGetValue(key.Span, out var index))
        {
            var found = await LocateAsync(key, hash).ConfigureAwait(false);
            roundtrips = found.Roundtrips;
            if (found.Index < 0)
            {
                return new KvWriteResult(roundtrips);
            }

            index = found.Index;
        }

        var version = _clock.Next();
        // The whole header and key, not just the length: a node that missed the key's earlier
        // writes gets a complete record, and the version makes the tombstone the newest copy.
        var tombstone = _layout.Encode(hash, key.Span, ReadOnlySpan<byte>.Empty, deleted: true, version);
        await WriteEverywhereAsync(index, tombstone).ConfigureAwait(false);
        return new KvWriteResult(roundtrips + 1, version);
    }

    public ValueTask DisposeAsync()
    {
        _locations.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Finds the key's record: from the cache in one roundtrip, or by READing along the probe
    /// sequence on every node until a majority shows the key or only free records (absent).
    /// Record is the newest copy (possibly a tombstone), null when the key has none; Index is -1
    /// when it has no record.
    /// </summary>
    private async Task<(int Index, byte[]? Record, int Roundtrips)> LocateAsync(ReadOnlyMemory<byte> key, ulong hash)
    {
        var roundtrips = 0;
        if (_lookup.TryGetValue(key.Span, out var cached))
        {
            var read = await ReadNewestAsync(cached, key, hash).ConfigureAwait(false);
            roundtrips += read.Roundtrips;
            if (read.Record is not null)
            {
                return (cached, read.Record, roundtrips);
            }

            // A majority wrote the key's record, so any majority holds a copy; only memory reset
            // under a live client gets here: forget the location and look again.
            _lookup.TryRemove(key.Span, out _);
        }

        for (var probe = 0; probe < _layout.Records; probe++)
        {
            var index = _layout.ProbeIndex(hash, probe);
            var read = await ReadNewestAsync(index, key, hash).ConfigureAwait(false);
            roundtrips += read.Roundtrips;
            if (read.Record is not null)
            {
                _lookup.TryAdd(key.Span, index);
                return (index, read.Record, roundtrips);
            }

            if (read.AllFree)
            {
                // A claim that passed this record left a majority of nodes non-free here (see
                // ClaimAsync), and any majority meets that one: the key lies nowhere further on.
                return (-1, null, roundtrips);
            }

            // Another key's record, or a claim of this key that lost (or has not written yet):
            // the key may lie further on.
        }

        return (-1, null, roundtrips);
    }

    /// <summary>
    /// One roundtrip READing the record from every node, done at the first majority: the newest
    /// copy of the key among the answers (by version), and whether every answer was a free
    /// record. An answer whose header is torn is skipped; when only torn copies of the key came
    /// back, the READ is repeated (<see cref="TornReadBackoff"/>).
    /// </summary>
    private async Task<(byte[]? Record, bool AllFree, int Roundtrips)> ReadNewestAsync(
        int index, ReadOnlyMemory<byte> key, ulong hash)
    {
        var offset = _layout.Offset(index);
        for (var attempt = 1; ; attempt++)
        {
            // Fresh buffers and batches per roundtrip: the nodes beyond the majority still
            // answer into them after this method returned.
            var images = new byte[_nodes.Length][];
            var batches = new VerbBatch?[_nodes.Length];
            for (var node = 0; node < _nodes.Length; node++)
            {
                images[node] = new byte[_layout.RecordBytes];
                var batch = new VerbBatch(1);
                batch.Read(RegionId, offset, images[node]);
                batches[node] = batch;
            }

            var call = await QuorumCall.RunAsync(_nodes, batches, _quorum).ConfigureAwait(false);
            byte[]? newest = null;
            ulong newestVersion = 0;
            var allFree = true;
            var torn = false;
            for (var node = 0; node < _nodes.Length; node++)
            {
                if (!call.Succeeded[node])
                {
                    continue;
                }

                var match = _layout.Match(images[node], key.Span, hash);
                allFree &= match == RawRecordMatch.Free;
                torn |= match == RawRecordMatch.Torn;
                if (match == RawRecordMatch.Key)
                {
                    var version = _layout.VersionOf(images[node]);
                    if (newest is null || version > newestVersion)
                    {
                        newest = images[node];
                        newestVersion = version;
                    }
                }
            }

            if (newest is not null)
            {
                _clock.Observe(newestVersion);
                return (newest, false, attempt);
            }

            if (!torn)
            {
                return (null, allFree, attempt);
            }

            if (!await TornReadBackoff.PauseAsync(attempt).ConfigureAwait(false))
            {
                throw new InvalidDataException(
                    $"raw-replicated record {index} has a header that does not parse on every node that " +
                    $"answered, after {attempt} reads: the tables are corrupt or not raw-replicated " +
                    "tables with these options");
            }
        }
    }

    /// <summary>
    /// Claims the key's record along its probe sequence, one roundtrip per record: on every node
    /// CAS(keyHash: 0 -> hash) and a READ of the header and key behind it. A node votes for the
    /// key when <see cref="RawRecordLayout.ClaimedBy"/> says so; the record is the key's when a
    /// majority voted for it. Each node's keyHash changes from 0 only once (later only the
    /// owner's record WRITEs rewrite it with the owner's hash), so at most one key wins a
    /// majority. When the first majority of answers cannot decide (one vote each way), the claim
    /// waits for every node's answer. A key that loses moves on, having left a majority of nodes
    /// non-free here, which is what lets a lookup stop at a record free on a majority.
    /// </summary>
    private async Task<(int Index, int Roundtrips)> ClaimAsync(ReadOnlyMemory<byte> key, ulong hash)
    {
        for (var probe = 0; probe < _layout.Records; probe++)
        {
            var index = _layout.ProbeIndex(hash, probe);
            var offset = _layout.Offset(index);
            var headers = new byte[_nodes.Length][];
            var batches = new VerbBatch?[_nodes.Length];
            for (var node = 0; node < _nodes.Length; node++)
            {
                headers[node] = new byte[_layout.ValueOffset];
                var batch = new VerbBatch(2);
                batch.CompareAndSwap(RegionId, offset, expected: 0, desired: hash);
                batch.Read(RegionId, offset, headers[node]);
                batches[node] = batch;
            }

            var call = await QuorumCall.RunAsync(_nodes, batches, _quorum).ConfigureAwait(false);
            var (votes, answers) = CountVotes(call, headers, key.Span, hash, late: false);
            if (votes < _quorum && votes + (_nodes.Length - answers) >= _quorum)
            {
                await call.AllCompleted.ConfigureAwait(false);
                (votes, _) = CountVotes(call, headers, key.Span, hash, late: true);
            }

            if (votes >= _quorum)
            {
                return (index, probe + 1);
            }
        }

        throw new RawKvTableFullException(
            $"all {_layout.Records} records of the raw-replicated table are taken by other keys; raise " +
            "RawKvOptions.Records (and the memory nodes' region size with it)");
    }

    /// <summary>
    /// The claim's votes for the key and the answers counted: those of the first majority, or
    /// with <paramref name="late"/> every successful answer once all have completed.
    /// </summary>
    private (int Votes, int Answers) CountVotes(
        QuorumCall call, byte[][] headers, ReadOnlySpan<byte> key, ulong hash, bool late)
    {
        var votes = 0;
        var answers = 0;
        for (var node = 0; node < _nodes.Length; node++)
        {
            var batch = call.Batches[node]!;
            if (!(late ? batch.Error == TransportError.None : call.Succeeded[node]))
            {
                continue;
            }

            answers++;
            if (_layout.ClaimedBy(batch.Result(0), headers[node], key, hash))
            {
                votes++;
            }
        }

        return (votes, answers);
    }

    /// <summary>
    /// One roundtrip WRITEing the whole record, keyHash included (a node where another key's
    /// losing claim set it is overwritten to the owner's), to every node; done at the first
    /// majority of acknowledgements. The rest land later, unordered against other clients' writes.
    /// </summary>
    private async Task WriteEverywhereAsync(int index, byte[] record)
    {
        var offset = _layout.Offset(index);
        var batches = new VerbBatch?[_nodes.Length];
        for (var node = 0; node < _nodes.Length; node++)
        {
            var batch = new VerbBatch(1);
            batch.Write(RegionId, offset, record);
            batches[node] = batch;
        }

        await QuorumCall.RunAsync(_nodes, batches, _quorum).ConfigureAwait(false);
    }
}
