using System.Buffers.Binary;
using System.IO.Hashing;
using Grid.RdmaTransport;

namespace Grid.Replication.Kv.Raw;

/// <summary>
/// The table both RAW baselines keep in region 0 of a memory node (<see cref="RawKvStore"/> on
/// one node, <see cref="RawReplicated.RawReplicatedKvStore"/> on each of 2f+1): a
/// linear-probing hash table of fixed-size records,
/// <code>
/// keyHash u64 (XxHash3 of the key; 0 = free) | length i32 (-1 = deleted) |
/// keyLength+1 u32 (0 = claimed, not yet written) | [version u64] | key [KeyBytesMax] |
/// value [MaxValueBytes]
/// </code>
/// The version word exists only in the replicated table, where a reader needs it to pick the
/// newest of the copies it got; RAW's records stay as they were, so its numbers stay comparable
/// with earlier runs. Records are padded to 8 bytes because the claim CASes keyHash. Immutable:
/// a copy of the options, so the layout cannot move under a store.
/// </summary>
internal sealed class RawRecordLayout
{
    public const uint RegionId = 0;
    public const int LengthOffset = 8;
    public const int KeyLengthOffset = 12;
    public const int VersionOffset = 16;
    public const int Tombstone = -1;

    private const int UnversionedHeaderBytes = 16;
    private const int VersionBytes = 8;

    public RawRecordLayout(RawKvOptions options, bool versioned)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Records = options.Records;
        KeyBytesMax = options.KeyBytesMax;
        MaxValueBytes = options.MaxValueBytes;
        Versioned = versioned;
        KeyOffset = HeaderBytesOf(versioned);
        ValueOffset = KeyOffset + KeyBytesMax;
        Stride = StrideOf(options, versioned);
    }

    public int Records { get; }

    public int KeyBytesMax { get; }

    public int MaxValueBytes { get; }

    public bool Versioned { get; }

    public int KeyOffset { get; }

    public int ValueOffset { get; }

    /// <summary>Bytes from one record to the next.</summary>
    public int Stride { get; }

    /// <summary>What a READ of a whole record fetches: header, key and the largest value.</summary>
    public int RecordBytes => ValueOffset + MaxValueBytes;

    /// <summary>The size region 0 needs.</summary>
    public long RegionBytes => (long)Records * Stride;

    /// <summary>The record size of these options, for the region-size limit of their validation.</summary>
    public static int StrideOf(RawKvOptions options, bool versioned) =>
        (int)((HeaderBytesOf(versioned) + (long)options.KeyBytesMax + options.MaxValueBytes + 7) / 8 * 8);

    /// <summary>XxHash3 of the key, with 0 (the free mark) moved to 1.</summary>
    public static ulong Hash(ReadOnlySpan<byte> key)
    {
        var hash = XxHash3.HashToUInt64(key);
        return hash == 0 ? 1 : hash;
    }

    /// <summary>The record <paramref name="probe"/> steps along the key's probe sequence.</summary>
    public int ProbeIndex(ulong hash, int probe) =>
        (int)((hash % (ulong)Records + (ulong)probe) % (ulong)Records);

    public ulong Offset(int index) => (ulong)index * (ulong)Stride;

    /// <summary>
    /// Checks that <paramref name="node"/> offers a region 0 this table fits in, with read, write
    /// and atomic rights; <paramref name="system"/> names the store in the error.
    /// </summary>
    public void CheckRegion(QueuePair node, string system)
    {
        ArgumentNullException.ThrowIfNull(node);
        RegionInfo? found = node.RemoteRegions.Any(r => r.Id == RegionId)
            ? node.RemoteRegions.First(r => r.Id == RegionId)
            : null;
        if (found is not { } region || region.Length < RegionBytes)
        {
            var has = found is { } r ? $"has {r.Length}" : "has no region 0";
            throw new ArgumentException(
                $"memory node {node.RemoteNode} needs a region 0 of at least {RegionBytes} bytes " +
                $"for {Records} records of {Stride} bytes; it {has}", nameof(node));
        }

        if (!region.Rights.HasFlag(AccessRights.All))
        {
            throw new ArgumentException(
                $"memory node {node.RemoteNode} grants {region.Rights} on region 0; {system} needs " +
                "read, write and atomic rights", nameof(node));
        }
    }

    public void CheckKey(ReadOnlyMemory<byte> key)
    {
        if (key.Length > KeyBytesMax)
        {
            throw new ArgumentException(
                $"the key has {key.Length} bytes; this table holds keys of at most {KeyBytesMax} " +
                "(RawKvOptions.KeyBytesMax)", nameof(key));
        }
    }

    public void CheckValue(ReadOnlyMemory<byte> value)
    {
        if (value.Length > MaxValueBytes)
        {
            throw new ArgumentException(
                $"the value has {value.Length} bytes; this table holds at most {MaxValueBytes} " +
                "(RawKvOptions.MaxValueBytes)", nameof(value));
        }
    }

    /// <summary>
    /// A record from its first byte: keyHash, header, key and the value's bytes (the unused rest
    /// of the value area is not written). A tombstone has length -1 and no value. The version is
    /// written only in a versioned layout.
    /// </summary>
    public byte[] Encode(ulong hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool deleted, ulong version)
    {
        var record = new byte[ValueOffset + (deleted ? 0 : value.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(record, hash);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(LengthOffset), deleted ? Tombstone : value.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(KeyLengthOffset), (uint)key.Length + 1);
        if (Versioned)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(VersionOffset), version);
        }

        key.CopyTo(record.AsSpan(KeyOffset));
        if (!deleted)
        {
            value.CopyTo(record.AsSpan(ValueOffset));
        }

        return record;
    }

    /// <summary>
    /// What a record (or its first <see cref="ValueOffset"/> bytes) holds for the key with
    /// <paramref name="hash"/>. <see cref="RawRecordMatch.Torn"/>: the key's hash with a header
    /// that does not parse, which only a READ racing a WRITE landed in pieces can see.
    /// </summary>
    public RawRecordMatch Match(ReadOnlySpan<byte> record, ReadOnlySpan<byte> key, ulong hash)
    {
        var stored = BinaryPrimitives.ReadUInt64LittleEndian(record);
        if (stored == 0)
        {
            return RawRecordMatch.Free;
        }

        if (stored != hash)
        {
            return RawRecordMatch.Other;
        }

        if (!HeaderParses(record))
        {
            return RawRecordMatch.Torn;
        }

        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(record[KeyLengthOffset..]);
        if (keyLength == 0)
        {
            return RawRecordMatch.Unwritten;
        }

        return record.Slice(KeyOffset, (int)keyLength - 1).SequenceEqual(key)
            ? RawRecordMatch.Key
            : RawRecordMatch.Other;
    }

    /// <summary>
    /// Whether a claim's CAS(keyHash: 0 -> hash), which found <paramref name="old"/>, and the
    /// READ of the record's first <see cref="ValueOffset"/> bytes behind it leave the record the
    /// key's: the CAS swapped, or the record already held the hash and the key, or the hash and
    /// no key yet (another client is inserting the same key right now; a 64-bit hash collision
    /// between two keys inserted at the same moment is too unlikely to guard against), or a key
    /// length torn by a racing WRITE.
    /// </summary>
    public bool ClaimedBy(ulong old, ReadOnlySpan<byte> header, ReadOnlySpan<byte> key, ulong hash)
    {
        if (old == 0)
        {
            return true;
        }

        if (old != hash)
        {
            return false;
        }

        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(header[KeyLengthOffset..]);
        return keyLength == 0 || keyLength > (uint)KeyBytesMax + 1
            || header.Slice(KeyOffset, (int)keyLength - 1).SequenceEqual(key);
    }

    public static bool IsDeleted(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadInt32LittleEndian(record[LengthOffset..]) == Tombstone;

    public static int LengthOf(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadInt32LittleEndian(record[LengthOffset..]);

    public ulong VersionOf(ReadOnlySpan<byte> record)
    {
        if (!Versioned)
        {
            throw new InvalidOperationException("RAW records carry no version");
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(record[VersionOffset..]);
    }

    /// <summary>
    /// The value of a record whose header parses: under a concurrent put it may mix old and new
    /// bytes (the RAW tables promise nothing more), but the length was checked, so it is never
    /// out of bounds.
    /// </summary>
    public byte[] ValueOf(ReadOnlySpan<byte> record) =>
        record.Slice(ValueOffset, LengthOf(record)).ToArray();

    private bool HeaderParses(ReadOnlySpan<byte> record)
    {
        var length = LengthOf(record);
        var keyLength = BinaryPrimitives.ReadUInt32LittleEndian(record[KeyLengthOffset..]);
        return length >= Tombstone && length <= MaxValueBytes && keyLength <= (uint)KeyBytesMax + 1;
    }

    private static int HeaderBytesOf(bool versioned) =>
        versioned ? UnversionedHeaderBytes + VersionBytes : UnversionedHeaderBytes;
}
