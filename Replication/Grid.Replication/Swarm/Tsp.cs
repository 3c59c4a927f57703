namespace Grid.Replication.Swarm;

/// <summary>
/// The 64-bit metadata word of Safe-Guess (spec swarm.md §2.2), compared as an unsigned number:
/// <c>ts:36 | bufId:21 | writer:6 | V:1</c> from high to low bits. (bufId, writer) point to the
/// out-of-place buffer; V=1 marks a verified (final) timestamp, so <c>g|1 &gt; g</c> and two words
/// name the same write iff they are equal ignoring V. 0 means "never written".
/// The paper packs ts:32|bufId:24|client:7; we give the timestamp 4 more bits and take them from
/// the client id (63 writers) and the buffer index (2^21 buffers of 64-byte units: a 128 MiB
/// arena per writer). Timestamps wrap: words are ordered by <see cref="TimestampRing"/>, never
/// as plain numbers.
/// </summary>
internal static class Tsp
{
    public const int TimestampBits = 36;
    public const int BufferBits = 21;
    public const int WriterBits = 6;
    public const ulong TimestampMax = (1UL << TimestampBits) - 1;
    public const uint BufferMax = (1U << BufferBits) - 1;
    public const int WriterMax = (1 << WriterBits) - 1;

    private const int WriterShift = 1;
    private const int BufferShift = WriterShift + WriterBits;
    private const int TimestampShift = BufferShift + BufferBits;

    public static ulong Make(ulong timestamp, uint bufferId, int writer, bool verified)
    {
        if (timestamp > TimestampMax)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp,
                $"SWARM timestamps are 0..{TimestampMax}");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(bufferId, BufferMax);
        if (writer is < 1 or > WriterMax)
        {
            throw new ArgumentOutOfRangeException(nameof(writer), writer, $"writer ids are 1..{WriterMax}");
        }

        return (timestamp << TimestampShift) | ((ulong)bufferId << BufferShift)
            | ((ulong)writer << WriterShift) | (verified ? 1UL : 0UL);
    }

    public static ulong Timestamp(ulong word) => word >> TimestampShift;

    public static uint BufferId(ulong word) => (uint)(word >> BufferShift) & BufferMax;

    public static int Writer(ulong word) => (int)(word >> WriterShift) & WriterMax;

    public static bool IsVerified(ulong word) => (word & 1) != 0;

    /// <summary>The word with V cleared: the identity of the write.</summary>
    public static ulong Identity(ulong word) => word & ~1UL;

    public static ulong Verified(ulong word) => word | 1;

    public static string Describe(ulong word) => word == 0
        ? "empty"
        : $"ts{Timestamp(word)}/b{BufferId(word)}/w{Writer(word)}{(IsVerified(word) ? "/V" : "")}";
}
