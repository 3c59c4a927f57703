using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using Grid.RdmaTransport;

namespace Grid.Replication.Kv.Raw;

/// <summary>
/// RAW, the unreplicated baseline of the SWARM paper (spec swarm.md §5): one memory node, plain
/// READ and WRITE, one roundtrip per get and per put once the client knows where the key lives,
/// and no consistency beyond what one node gives: a get that runs concurrently with a put of the
/// same key may return a mix of the old and the new value, and a crash of the node loses
/// everything. It is the floor the replicated stores are measured against, not a store to use.
/// <para>
/// Region 0 of the node holds a linear-probing hash table of fixed-size records:
/// <code>
/// keyHash u64 (XxHash3 of the key; 0 = free) | length i32 (-1 = deleted) |
/// keyLength+1 u32 (0 = claimed, not yet written) | key [KeyBytesMax] | value [MaxValueBytes]
/// </code>
/// A record, once claimed by a key with CAS(keyHash: 0 -> hash), belongs to that key for good
/// (a delete leaves a tombstone), so a client caches key -> record and never looks again.
/// The single node makes the CAS authoritative: there is no other copy to disagree with.
/// </para>
/// Thread-safe; one operation per key at a time (<see cref="IKeyValueStore"/>). The store does
/// not own the queue pair: dispose it after the store.
/// </summary>
public sealed class RawKvStore : IKeyValueStore
{
    private const uint RegionId = 0;
    private const int LengthOffset = 8;
    private const int KeyLengthOffset = 12;
    private const int KeyOffset = 16;
    private const int HeaderBytes = KeyOffset;
    private const int Tombstone = -1;

    /// <summary>
    /// Re-reads of a record whose header does not parse. Only a READ racing a WRITE that the
    /// fabric lands in pieces smaller than the header can see that, and a later READ sees it
    /// whole; a header that never parses means the region is not this table.
    /// </summary>
    private const int TornHeaderRetries = 32;

    /// <summary>Re-reads after this many go after a pause rather than a yield.</summary>
    private const int YieldingRetries = 4;

    private readonly QueuePair _node;
    private readonly int _records;
    private readonly int _keyBytesMax;
    private readonly int _maxValueBytes;
    private readonly int _stride;
    private readonly int _valueOffset;
    private readonly ConcurrentDictionary<byte[], int> _locations = new(ByteKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    private RawKvStore(QueuePair node, RawKvOptions options)
    {
        _node = node;
        // A copy: the options object stays mutable, the layout must not move under the store.
        _records = options.Records;
        _keyBytesMax = options.KeyBytesMax;
        _maxValueBytes = options.MaxValueBytes;
        _stride = RecordStride(options);
        _valueOffset = KeyOffset + _keyBytesMax;
        _lookup = _locations.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public string System => "raw";

    /// <summary>Keys this client knows the record of (each get or put of them costs 1 roundtrip).</summary>
    public int CachedKeys => _locations.Count;

    /// <summary>The size region 0 of the memory node needs for <paramref name="options"/>.</summary>
    public static long RegionBytesFor(RawKvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return (long)options.Records * RecordStride(options);
    }

    /// <summary>
    /// A client of the table in region 0 of <paramref name="memoryNode"/>. Checks that the region
    /// is big enough and grants read, write and atomics; touches no memory (a fresh region is an
    /// empty table).
    /// </summary>
    public static Task<RawKvStore> StartAsync(QueuePair memoryNode, RawKvOptions options)
    {
        ArgumentNullException.ThrowIfNull(memoryNode);
        var required = RegionBytesFor(options);
        RegionInfo? found = memoryNode.RemoteRegions.Any(r => r.Id == RegionId)
            ? memoryNode.RemoteRegions.First(r => r.Id == RegionId)
            : null;
        if (found is not { } region || region.Length < required)
        {
            var has = found is { } r ? $"has {r.Length}" : "has no region 0";
            throw new ArgumentException(
                $"memory node {memoryNode.RemoteNode} needs a region 0 of at least {required} bytes " +
                $"for {options.Records} records of {RecordStride(options)} bytes; it {has}",
                nameof(memoryNode));
        }

        if (!region.Rights.HasFlag(AccessRights.All))
        {
            throw new ArgumentException(
                $"memory node {memoryNode.RemoteNode} grants {region.Rights} on region 0; RAW needs " +
                "read, write and atomic rights", nameof(memoryNode));
        }

        return Task.FromResult(new RawKvStore(memoryNode, options));
    }

    public async Task<KvReadResult> GetAsync(ReadOnlyMemory<byte> key)
    {
        CheckKey(key);
        var hash = Hash(key.Span);
        var found = await LocateAsync(key, hash).ConfigureAwait(false);
        return new KvReadResult(found.Record is null ? null : ValueOf(found.Record), found.Roundtrips);
    }

    public async Task<KvWriteResult> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value)
    {
        CheckKey(key);
        if (value.Length > _maxValueBytes)
        {
            throw new ArgumentException(
                $"the value has {value.Length} bytes; this table holds at most {_maxValueBytes} " +
                "(RawKvOptions.MaxValueBytes)", nameof(value));
        }

        var roundtrips = 0;
        if (!_lookup.TryGetValue(key.Span, out var index))
        {
            var hash = Hash(key.Span);
            (index, roundtrips) = await ClaimAsync(key, hash).ConfigureAwait(false);
        }

        var body = new byte[HeaderBytes - LengthOffset + _keyBytesMax + value.Length];
        BinaryPrimitives.WriteInt32LittleEndian(body, value.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(
            body.AsSpan(KeyLengthOffset - LengthOffset), (uint)key.Length + 1);
        key.Span.CopyTo(body.AsSpan(KeyOffset - LengthOffset));
        value.Span.CopyTo(body.AsSpan(_valueOffset - LengthOffset));
        await _node.WriteAsync(RegionId, Offset(index) + LengthOffset, body).ConfigureAwait(false);
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
        CheckKey(key);
        var roundtrips = 0;
        if (!_lookup.TryGetValue(key.Span, out var index))
        {
            var found = await LocateAsync(key, Hash(key.Span)).ConfigureAwait(false);
            roundtrips = found.Roundtrips;
            if (found.Index < 0)
            {
                return new KvWriteResult(roundtrips);
            }

            index = found.Index;
        }

        var tombstone = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(tombstone, Tombstone);
        await _node.WriteAsync(RegionId, Offset(index) + LengthOffset, tombstone).ConfigureAwait(false);
        return new KvWriteResult(roundtrips + 1);
    }

    public ValueTask DisposeAsync()
    {
        _locations.Clear();
        return ValueTask.CompletedTask;
    }

    internal static int RecordStride(RawKvOptions options) =>
        // 8-byte aligned: the CAS on keyHash must be.
        (int)((HeaderBytes + (long)options.KeyBytesMax + options.MaxValueBytes + 7) / 8 * 8);

    /// <summary>XxHash3 of the key, with 0 (the free mark) moved to 1.</summary>
    internal static ulong Hash(ReadOnlySpan<byte> key)
    {
        var hash = XxHash3.HashToUInt64(key);
        return hash == 0 ? 1 : hash;
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
            var (record, reads) = await ReadRecordAsync(cached, hash).ConfigureAwait(false);
            roundtrips += reads;
            if (Matches(record, key.Span, hash) == Match.Key)
            {
                return (cached, IsDeleted(record) ? null : record, roundtrips);
            }

            // Records never change owner, so only memory reset under a live client gets here:
            // forget the location and look again.
            _lookup.TryRemove(key.Span, out _);
        }

        var home = Home(hash);
        for (var probe = 0; probe < _records; probe++)
        {
            var index = (int)((home + (ulong)probe) % (ulong)_records);
            var (record, reads) = await ReadRecordAsync(index, hash).ConfigureAwait(false);
            roundtrips += reads;
            switch (Matches(record, key.Span, hash))
            {
                case Match.Free:
                    return (-1, null, roundtrips);
                case Match.Unwritten:
                    // Claimed by a put of this key that has not written it yet: not there yet.
                    return (-1, null, roundtrips);
                case Match.Key:
                    _lookup.TryAdd(key.Span, index);
                    return (index, IsDeleted(record) ? null : record, roundtrips);
            }
        }

        return (-1, null, roundtrips);
    }

    /// <summary>
    /// Claims the key's record along its probe sequence: per record one roundtrip of
    /// CAS(keyHash: 0 -> hash) and a READ of the key behind it. The record is the key's if the
    /// CAS swapped, or if it already held the hash and the key (or no key yet: another client is
    /// inserting the same key right now). The first WRITE of the value cannot ride in the same
    /// batch: verbs of a batch are unconditional, so it would overwrite another key's record
    /// whenever the CAS finds the record taken.
    /// </summary>
    private async Task<(int Index, int Roundtrips)> ClaimAsync(ReadOnlyMemory<byte> key, ulong hash)
    {
        var home = Home(hash);
        var header = new byte[HeaderBytes - LengthOffset + _keyBytesMax];
        var batch = new VerbBatch(2);
        for (var probe = 0; probe < _records; probe++)
        {
            var index = (int)((home + (ulong)probe) % (ulong)_records);
            var offset = Offset(index);
            batch.Clear();
            var cas = batch.CompareAndSwap(RegionId, offset, expected: 0, desired: hash);
            batch.Read(RegionId, offset + LengthOffset, header);
            await _node.PostAsync(batch).ConfigureAwait(false);
            var old = batch.Result(cas);
            if (old == 0)
            {
                return (index, probe + 1);
            }

            if (old != hash)
            {
                continue;
            }

            var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(
                header.AsSpan(KeyLengthOffset - LengthOffset));
            if (keyLength == 0 || keyLength > (uint)_keyBytesMax + 1
                || header.AsSpan(KeyOffset - LengthOffset, (int)keyLength - 1).SequenceEqual(key.Span))
            {
                // Same hash and no key yet (or a torn one): a 64-bit hash collision between two
                // keys being inserted at the same moment is too unlikely to guard against.
                return (index, probe + 1);
            }
        }

        throw new RawKvTableFullException(
            $"all {_records} records of the RAW table are taken by other keys; raise " +
            "RawKvOptions.Records (and the memory node's region size with it)");
    }

    /// <summary>
    /// READs a whole record. When it is the key's (hash matches) and its header does not parse,
    /// which a READ racing a WRITE landed in small pieces can see, READs it again.
    /// </summary>
    private async Task<(byte[] Record, int Roundtrips)> ReadRecordAsync(int index, ulong hash)
    {
        var record = new byte[HeaderBytes + _keyBytesMax + _maxValueBytes];
        for (var attempt = 1; ; attempt++)
        {
            await _node.ReadAsync(RegionId, Offset(index), record).ConfigureAwait(false);
            if (BinaryPrimitives.ReadUInt64LittleEndian(record) != hash || HeaderParses(record))
            {
                return (record, attempt);
            }

            if (attempt <= YieldingRetries)
            {
                // Let the writer land its next piece: its continuation may be queued behind us.
                await Task.Yield();
            }
            else if (attempt <= TornHeaderRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(attempt, 10))).ConfigureAwait(false);
            }
            else
            {
                throw new InvalidDataException(
                    $"RAW record {index} on {_node.RemoteNode} has length " +
                    $"{BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(LengthOffset))} and key " +
                    $"length field {BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(KeyLengthOffset))}" +
                    $" after {attempt} reads: the table is corrupt or not a RAW table with these options");
            }
        }
    }

    private bool HeaderParses(byte[] record)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(LengthOffset));
        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(KeyLengthOffset));
        return length >= Tombstone && length <= _maxValueBytes && keyLength <= (uint)_keyBytesMax + 1;
    }

    private static Match Matches(byte[] record, ReadOnlySpan<byte> key, ulong hash)
    {
        var stored = BinaryPrimitives.ReadUInt64LittleEndian(record);
        if (stored == 0)
        {
            return Match.Free;
        }

        if (stored != hash)
        {
            return Match.Other;
        }

        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(KeyLengthOffset));
        if (keyLength == 0)
        {
            return Match.Unwritten;
        }

        return record.AsSpan(KeyOffset, (int)keyLength - 1).SequenceEqual(key) ? Match.Key : Match.Other;
    }

    private static bool IsDeleted(byte[] record) =>
        BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(LengthOffset)) == Tombstone;

    /// <summary>
    /// The value as read: under a concurrent put it may mix old and new bytes (RAW promises
    /// nothing more), but the length was checked, so it is never out of bounds.
    /// </summary>
    private byte[] ValueOf(byte[] record)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(LengthOffset));
        return record.AsSpan(_valueOffset, length).ToArray();
    }

    private void CheckKey(ReadOnlyMemory<byte> key)
    {
        if (key.Length > _keyBytesMax)
        {
            throw new ArgumentException(
                $"the key has {key.Length} bytes; this table holds keys of at most {_keyBytesMax} " +
                "(RawKvOptions.KeyBytesMax)", nameof(key));
        }
    }

    private ulong Home(ulong hash) => hash % (ulong)_records;

    private ulong Offset(int index) => (ulong)index * (ulong)_stride;

    private enum Match
    {
        Free,
        Other,
        Unwritten,
        Key,
    }
}
