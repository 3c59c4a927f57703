namespace Grid.Replication.Swarm;

/// <summary>
/// The order of SWARM words when timestamps wrap (README of this folder, "Timestamps that never
/// run out"). A timestamp lives on a ring of 2^Bits units; of two timestamps, the later one is
/// the one reached by going forward less than half the ring (serial-number order, as in RFC
/// 1982). The order is total on any set of words spanning less than half the ring, and the
/// refresh (<see cref="SafeGuessClient.RefreshStaleAsync"/>) keeps every word that can be
/// compared within <see cref="RefreshAge"/> of the present, far inside that bound. Word 0
/// ("never written") comes before every other word; equal timestamps order by the rest of the
/// word (buffer, writer, V), as before.
/// </summary>
internal sealed class TimestampRing
{
    private const ulong LowMask = (1UL << (Tsp.BufferBits + Tsp.WriterBits + 1)) - 1;

    private readonly ulong _mask;

    public TimestampRing(int bits)
    {
        if (bits is < 16 or > Tsp.TimestampBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"must be in [16, {Tsp.TimestampBits}]");
        }

        Bits = bits;
        _mask = (1UL << bits) - 1;
        Half = 1UL << (bits - 1);
    }

    public int Bits { get; }

    /// <summary>Half the ring: two timestamps further apart than this have no order.</summary>
    public ulong Half { get; }

    /// <summary>
    /// A word's timestamp older than this (behind the present) is rewritten or cleared by the
    /// refresh: an eighth of the ring, so that a word is never older than a quarter of the ring
    /// even when a refresh is late, a memory node was away, or a reader writes an old word back.
    /// </summary>
    public ulong RefreshAge => Half / 4;

    /// <summary>How often a writer runs the refresh scan: a quarter of <see cref="RefreshAge"/>.</summary>
    public ulong RefreshPeriod => Half / 16;

    /// <summary>A timestamp in units on the ring.</summary>
    public ulong Wrap(ulong units) => units & _mask;

    public ulong Add(ulong timestamp, ulong units) => (timestamp + units) & _mask;

    public ulong Subtract(ulong timestamp, ulong units) => (timestamp - units) & _mask;

    /// <summary>How far <paramref name="later"/> is ahead of <paramref name="earlier"/>; negative when behind.</summary>
    public long Distance(ulong earlier, ulong later)
    {
        var forward = (later - earlier) & _mask;
        return forward < Half ? (long)forward : -(long)((earlier - later) & _mask);
    }

    /// <summary>Compares two words: negative when <paramref name="a"/> is the earlier.</summary>
    public int Compare(ulong a, ulong b)
    {
        if (a == b)
        {
            return 0;
        }

        if (a == 0 || b == 0)
        {
            return a == 0 ? -1 : 1;
        }

        var forward = (Tsp.Timestamp(a) - Tsp.Timestamp(b)) & _mask;
        if (forward == 0)
        {
            return (a & LowMask).CompareTo(b & LowMask);
        }

        return forward < Half ? 1 : -1;
    }

    public bool IsAfter(ulong a, ulong b) => Compare(a, b) > 0;

    public ulong Max(ulong a, ulong b) => Compare(a, b) >= 0 ? a : b;

    /// <summary>Whether a word's timestamp is more than <paramref name="age"/> units behind <paramref name="now"/>.</summary>
    public bool IsOlderThan(ulong word, ulong now, ulong age) =>
        word != 0 && Distance(Tsp.Timestamp(word), now) > (long)age;
}
