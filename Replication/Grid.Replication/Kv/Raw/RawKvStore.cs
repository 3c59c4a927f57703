using System.Buffers.Binary;
using System.Collections.Concurrent;
using Grid.RdmaTransport;

namespace Grid.Replication.Kv.Raw;

/// <summary>
/// RAW, the unreplicated baseline of the SWARM paper (spec swarm.md §5): one memory node, plain
/// READ and WRITE, one roundtrip per get and per put once the client knows where the key lives,
/// and no consistency beyond what one node gives: a get that runs concurrently with a put of the
/// same key may return a mix of the old and the new value, and a crash of the node loses
/// everything. It is the floor the replicated stores are measured against, not a store to use.
/// <para>
/// Region 0 of the node holds a linear-probing hash table of fixed-size records
/// (<see cref="RawRecordLayout"/>, without the version word). A record, once claimed by a key
/// with CAS(keyHash: 0 -> hash), belongs to that key for good (a delete leaves a tombstone), so
/// a client caches key -> record and never looks again.
/// The single node makes the CAS authoritative: there is no other copy to disagree with.
/// </para>
/// Thread-safe; one operation per key at a time (<see cref="IKeyValueStore"/>). The store does
/// not own the queue pair: dispose it after the store.
/// </summary>
public sealed class RawKvStore : IKeyValueStore
{
    private const uint RegionId = RawRecordLayout.RegionId;

    private readonly QueuePair _node;
    private readonly RawRecordLayout _layout;
    private readonly ConcurrentDictionary<byte[], int> _locations = new(ByteKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    private RawKvStore(QueuePair node, RawRecordLayout layout)
    {
        _node = node;
        _layout = layout;
        _lookup = _locations.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public string System => "raw";

    /// <summary>Keys this client knows the record of (each get or put of them costs 1 roundtrip).</summary>
    public int CachedKeys => _locations.Count;

    /// <summary>The size region 0 of the memory node needs for <paramref name="options"/>.</summary>
    public static long RegionBytesFor(RawKvOptions options) => new RawRecordLayout(options, versioned: false).RegionBytes;

    /// <summary>
    /// A client of the table in region 0 of <paramref name="memoryNode"/>. Checks that the region
    /// is big enough and grants read, write and atomics; touches no memory (a fresh region is an
    /// empty table).
    /// </summary>
    public static Task<RawKvStore> StartAsync(QueuePair memoryNode, RawKvOptions options)
    {
        ArgumentNullException.ThrowIfNull(memoryNode);
        // A copy: the options object stays mutable, the layout must not move under the store.
        var layout = new RawRecordLayout(options, versioned: false);
        layout.CheckRegion(memoryNode, "RAW");
        return Task.FromResult(new RawKvStore(memoryNode, layout));
    }

    public async Task<KvReadResult> GetAsync(ReadOnlyMemory<byte> key)
    {
        _layout.CheckKey(key);
        var hash = RawRecordLayout.Hash(key.Span);
        var found = await LocateAsync(key, hash).ConfigureAwait(false);
        return new KvReadResult(found.Record is null ? null : _layout.ValueOf(found.Record), found.Roundtrips);
    }

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

        // Everything but keyHash, which the claim's CAS set: one node, so it is already right.
        var record = _layout.Encode(hash, key.Span, value.Span, deleted: false, version: 0);
        await _node.WriteAsync(RegionId, _layout.Offset(index) + RawRecordLayout.LengthOffset,
            record.AsMemory(RawRecordLayout.LengthOffset)).ConfigureAwait(false);
        _lookup.TryAdd(key.Span, index);
        return new KvWriteResult(roundtrips + 1);
    }

    /// <summary>
    /// The same as <see cref="PutAsync"/>: the claim is the lookup. A key must own its record
    /// before its bytes go there, and only the CAS on the node can say whether it does.
    /// </summary>
    public Task<KvWriteResult> InsertAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) =>
        PutAsync(key, value);

    /// <summary>Writes a tombstone; the record stays the key's (RAW reclaims nothing).</summary>
    public async Task<KvWriteResult> DeleteAsync(ReadOnlyMemory<byte> key)
    {
        _layout.CheckKey(key);
        var roundtrips = 0;
        if (!_lookup.TryGetValue(key.Span, out var index))
        {
            var found = await LocateAsync(key, RawRecordLayout.Hash(key.Span)).ConfigureAwait(false);
            roundtrips = found.Roundtrips;
            if (found.Index < 0)
            {
                return new KvWriteResult(roundtrips);
            }

            index = found.Index;
        }

        var tombstone = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(tombstone, RawRecordLayout.Tombstone);
        await _node.WriteAsync(RegionId, _layout.Offset(index) + RawRecordLayout.LengthOffset, tombstone)
            .ConfigureAwait(false);
        return new KvWriteResult(roundtrips + 1);
    }

    public ValueTask DisposeAsync()
    {
        _locations.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Finds the key's record: from the cache in one READ, or by READing along the probe
    /// sequence until the key or a free record (absent). Record is null when the key is absent
    /// or deleted; Index is -1 when it has no record.
    /// </summary>
    private async Task<(int Index, byte[]? Record, int Roundtrips)> LocateAsync(
        ReadOnlyMemory<byte> key, ulong hash)
    {
        var roundtrips = 0;
        if (_lookup.TryGetValue(key.Span, out var cached))
        {
            var (record, match, reads) = await ReadRecordAsync(cached, key, hash).ConfigureAwait(false);
            roundtrips += reads;
            if (match == RawRecordMatch.Key)
            {
                return (cached, RawRecordLayout.IsDeleted(record) ? null : record, roundtrips);
            }

            // Records never change owner, so only memory reset under a live client gets here:
            // forget the location and look again.
            _lookup.TryRemove(key.Span, out _);
        }

        for (var probe = 0; probe < _layout.Records; probe++)
        {
            var index = _layout.ProbeIndex(hash, probe);
            var (record, match, reads) = await ReadRecordAsync(index, key, hash).ConfigureAwait(false);
            roundtrips += reads;
            switch (match)
            {
                case RawRecordMatch.Free:
                    return (-1, null, roundtrips);
                case RawRecordMatch.Unwritten:
                    // Claimed by a put of this key that has not written it yet: not there yet.
                    return (-1, null, roundtrips);
                case RawRecordMatch.Key:
                    _lookup.TryAdd(key.Span, index);
                    return (index, RawRecordLayout.IsDeleted(record) ? null : record, roundtrips);
            }
        }

        return (-1, null, roundtrips);
    }

    /// <summary>
    /// Claims the key's record along its probe sequence: per record one roundtrip of
    /// CAS(keyHash: 0 -> hash) and a READ of the header and key behind it
    /// (<see cref="RawRecordLayout.ClaimedBy"/>). The first WRITE of the value cannot ride in the
    /// same batch: verbs of a batch are unconditional, so it would overwrite another key's record
    /// whenever the CAS finds the record taken.
    /// </summary>
    private async Task<(int Index, int Roundtrips)> ClaimAsync(ReadOnlyMemory<byte> key, ulong hash)
    {
        var header = new byte[_layout.ValueOffset];
        var batch = new VerbBatch(2);
        for (var probe = 0; probe < _layout.Records; probe++)
        {
            var index = _layout.ProbeIndex(hash, probe);
            var offset = _layout.Offset(index);
            batch.Clear();
            var cas = batch.CompareAndSwap(RegionId, offset, expected: 0, desired: hash);
            batch.Read(RegionId, offset, header);
            await _node.PostAsync(batch).ConfigureAwait(false);
            if (_layout.ClaimedBy(batch.Result(cas), header, key.Span, hash))
            {
                return (index, probe + 1);
            }
        }

        throw new RawKvTableFullException(
            $"all {_layout.Records} records of the RAW table are taken by other keys; raise " +
            "RawKvOptions.Records (and the memory node's region size with it)");
    }

    /// <summary>
    /// READs a whole record. When it is the key's (hash matches) and its header does not parse,
    /// which a READ racing a WRITE landed in small pieces can see, READs it again.
    /// </summary>
    private async Task<(byte[] Record, RawRecordMatch Match, int Roundtrips)> ReadRecordAsync(
        int index, ReadOnlyMemory<byte> key, ulong hash)
    {
        var record = new byte[_layout.RecordBytes];
        for (var attempt = 1; ; attempt++)
        {
            await _node.ReadAsync(RegionId, _layout.Offset(index), record).ConfigureAwait(false);
            var match = _layout.Match(record, key.Span, hash);
            if (match != RawRecordMatch.Torn)
            {
                return (record, match, attempt);
            }

            if (!await TornReadBackoff.PauseAsync(attempt).ConfigureAwait(false))
            {
                throw new InvalidDataException(
                    $"RAW record {index} on {_node.RemoteNode} has length " +
                    $"{RawRecordLayout.LengthOf(record)} and key length field " +
                    $"{BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(RawRecordLayout.KeyLengthOffset))}" +
                    $" after {attempt} reads: the table is corrupt or not a RAW table with these options");
            }
        }
    }
}
