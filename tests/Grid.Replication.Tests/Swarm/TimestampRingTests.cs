using Grid.Replication.Swarm;

namespace Grid.Replication.Tests.Swarm;

public sealed class TimestampRingTests
{
    private static readonly TimestampRing Ring = new(Tsp.TimestampBits);

    private static ulong Word(ulong timestamp, int writer = 1, bool verified = false) =>
        Tsp.Make(timestamp, 0, writer, verified);

    [Fact]
    public void Words_across_the_wrap_keep_their_order()
    {
        var beforeWrap = Word(Tsp.TimestampMax - 5);
        var afterWrap = Word(3);

        Assert.True(Ring.IsAfter(afterWrap, beforeWrap));
        Assert.Equal(afterWrap, Ring.Max(beforeWrap, afterWrap));
        Assert.Equal(9L, Ring.Distance(Tsp.TimestampMax - 5, 3));
        Assert.Equal(-9L, Ring.Distance(3, Tsp.TimestampMax - 5));
    }

    [Fact]
    public void Zero_is_never_written_and_comes_first()
    {
        Assert.True(Ring.IsAfter(Word(0), 0));
        Assert.Equal(-1, Ring.Compare(0, Word(Tsp.TimestampMax)));
        Assert.Equal(0, Ring.Compare(0, 0));
    }

    [Fact]
    public void Equal_timestamps_order_by_the_rest_of_the_word_and_verified_is_later()
    {
        var guess = Word(100, writer: 2);
        Assert.True(Ring.IsAfter(Tsp.Verified(guess), guess));
        Assert.True(Ring.IsAfter(Word(100, writer: 3), guess));
    }

    [Fact]
    public void Order_holds_for_any_two_words_less_than_half_the_ring_apart()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var a = (ulong)random.NextInt64((long)Tsp.TimestampMax + 1);
            var gap = (ulong)random.NextInt64(1, (long)Ring.Half);
            var b = Ring.Add(a, gap);
            Assert.True(Ring.IsAfter(Word(b), Word(a)), $"{a} + {gap}");
            Assert.True(Ring.Compare(Word(a), Word(b)) < 0);
        }
    }

    [Fact]
    public void Age_is_measured_backwards_from_now_across_the_wrap()
    {
        var now = 10UL;
        Assert.True(Ring.IsOlderThan(Word(Tsp.TimestampMax - 100), now, 50));
        Assert.False(Ring.IsOlderThan(Word(Tsp.TimestampMax - 100), now, 200));
        Assert.False(Ring.IsOlderThan(0, now, 0));
    }

    [Fact]
    public void A_narrow_ring_for_tests_wraps_sooner_and_keeps_the_refresh_fractions()
    {
        var ring = new TimestampRing(20);
        Assert.Equal(1UL << 19, ring.Half);
        Assert.Equal(ring.Half / 4, ring.RefreshAge);
        Assert.Equal(0UL, ring.Wrap(1UL << 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimestampRing(Tsp.TimestampBits + 1));
    }
}
