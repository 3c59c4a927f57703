using System.Buffers.Binary;
using System.IO.Hashing;

namespace Grid.Replication.Swarm;

/// <summary>
/// XXH3-128 over the write's identity (its word without V), the value length and the value
/// (spec §3.2). It tells a whole copy of this very write from a torn one, or from a copy of
/// another write that reused the same buffer.
/// </summary>
internal static class ValueChecksum
{
    public const int Bytes = 16;

    public static void Compute(ulong identity, ReadOnlySpan<byte> value, Span<byte> destination)
    {
        Span<byte> prefix = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, Tsp.Identity(identity));
        BinaryPrimitives.WriteInt32LittleEndian(prefix[8..], value.Length);
        var hash = new XxHash128();
        hash.Append(prefix);
        hash.Append(value);
        hash.GetCurrentHash(destination);
    }

    public static bool Matches(ulong identity, ReadOnlySpan<byte> value, ReadOnlySpan<byte> checksum)
    {
        Span<byte> expected = stackalloc byte[Bytes];
        Compute(identity, value, expected);
        return expected.SequenceEqual(checksum);
    }
}
