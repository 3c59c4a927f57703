using System.Buffers.Binary;

namespace Grid.Replication.Swarm;

/// <summary>
/// What SWARM-KV stores in a key's register: <c>tag u8 | keyLength u16 | key | value</c>, tag 1
/// for a value and 0 for a deletion (a tombstone: deleting is writing). The key travels with the
/// value so that two keys with the same 64-bit hash are told apart instead of mixed up.
/// </summary>
internal static class SwarmKvRecord
{
    public const int OverheadBytes = 3;

    public static byte[] Encode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool deleted)
    {
        var record = new byte[OverheadBytes + key.Length + value.Length];
        record[0] = deleted ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(1), (ushort)key.Length);
        key.CopyTo(record.AsSpan(OverheadBytes));
        value.CopyTo(record.AsSpan(OverheadBytes + key.Length));
        return record;
    }

    /// <summary>Whether a record is a deletion's tombstone.</summary>
    public static bool IsDeletion(byte[] record) => record.Length >= OverheadBytes && record[0] == 0;

    /// <summary>The value, or null for a deletion; throws if the record is another key's.</summary>
    public static byte[]? Decode(ReadOnlySpan<byte> record, ReadOnlySpan<byte> key)
    {
        if (record.Length < OverheadBytes)
        {
            throw new InvalidDataException($"a SWARM-KV record of {record.Length} bytes is too short");
        }

        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(record[1..]);
        if (record.Length < OverheadBytes + keyLength || !record.Slice(OverheadBytes, keyLength).SequenceEqual(key))
        {
            throw new SwarmKeyCollisionException(
                "two keys share a 64-bit hash; the record found belongs to the other key");
        }

        return record[0] == 0 ? null : record[(OverheadBytes + keyLength)..].ToArray();
    }
}
