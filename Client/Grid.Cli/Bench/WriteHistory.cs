using System.Buffers.Binary;
using System.IO.Hashing;

namespace Grid.Cli.Bench;

/// <summary>
/// The writes of one bench loop, to tell after a crash whether the store lost any (see
/// <see cref="LostWriteCheck"/>). Every value a loop writes starts with a tag unique in the run
/// (<see cref="Stamp"/>), so the value a final get returns names the write it came from. Not
/// thread-safe: each loop owns one.
/// </summary>
internal sealed class WriteHistory
{
    /// <summary>The end of a write that never completed: it may take effect at any time.</summary>
    public const long NotAcknowledged = long.MaxValue;

    /// <summary>Values carry an 8-byte tag.</summary>
    public const int MinimumValueBytes = 8;

    private readonly List<Write> _writes = [];
    private readonly ulong _source;
    private ulong _sequence;

    /// <param name="source">Who writes: 0 the loader, 1.. the loops. Distinct per history.</param>
    public WriteHistory(int source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(source);
        _source = (ulong)source;
    }

    public IReadOnlyList<Write> Writes => _writes;

    /// <summary>
    /// Writes a fresh tag into the first 8 bytes of <paramref name="value"/>; the rest is the
    /// caller's (random bytes).
    /// </summary>
    public ulong Stamp(Span<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value.Length, MinimumValueBytes);
        var tag = (_source << 48) | ++_sequence;
        BinaryPrimitives.WriteUInt64LittleEndian(value, tag);
        return tag;
    }

    /// <summary>Records that a write of <paramref name="value"/> to a key starts now; returns its index.</summary>
    public int Begin(long key, ReadOnlySpan<byte> value, long startTimestamp)
    {
        _writes.Add(new Write(key, Identify(value), startTimestamp, NotAcknowledged));
        return _writes.Count - 1;
    }

    /// <summary>Records that the write at <paramref name="index"/> was acknowledged.</summary>
    public void Acknowledge(int index, long endTimestamp) =>
        _writes[index] = _writes[index] with { End = endTimestamp };

    /// <summary>Tag and content hash: a value is the write's only if both match.</summary>
    public static (ulong Tag, ulong Hash) Identify(ReadOnlySpan<byte> value) =>
        value.Length < MinimumValueBytes
            ? (0, XxHash3.HashToUInt64(value))
            : (BinaryPrimitives.ReadUInt64LittleEndian(value), XxHash3.HashToUInt64(value));

    /// <summary>One write: its key, the identity of its value, when it started and was acknowledged.</summary>
    internal readonly record struct Write(long Key, (ulong Tag, ulong Hash) Value, long Start, long End);
}
