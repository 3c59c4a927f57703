using Grid.Cli.Bench;

namespace Grid.Cli.Tests.Bench;

public sealed class ZipfianGeneratorTests
{
    private const int Draws = 200_000;

    [Fact]
    public void Item_zero_is_hottest_and_popularity_falls_with_rank()
    {
        const int Items = 1_000;
        var generator = new ZipfianGenerator(Items, ZipfianGenerator.YcsbTheta, new Random(7));
        var counts = Count(generator.Next, Items);

        // Expected share of item 0: 1 / zeta(1000, 0.99), about 13%; uniform would be 0.1%.
        var expected = 1 / ZipfianGenerator.Zeta(Items, ZipfianGenerator.YcsbTheta);
        var share = (double)counts[0] / Draws;
        Assert.InRange(share, expected * 0.9, expected * 1.1);
        Assert.True(counts[0] > counts[1] && counts[1] > counts[10] && counts[10] > counts[100]
            && counts[100] > counts[900], string.Join(", ", counts[0], counts[1], counts[10], counts[100], counts[900]));
    }

    [Fact]
    public void Scrambled_keys_are_skewed_but_spread_over_the_key_space()
    {
        const int Items = 10_000;
        var generator = new ScrambledZipfianGenerator(Items, new Random(7));
        var counts = Count(generator.Next, Items);

        var hottest = counts.Max();
        // YCSB's scrambled zipfian gives its hottest key ~1/zeta(10^10) = 3.8% of the draws,
        // 380 times the uniform share of 0.01%.
        Assert.InRange((double)hottest / Draws, 0.03, 0.05);
        Assert.True(hottest > 100 * Draws / Items);
        // Scrambled: the hot keys are not the first ones.
        var hotKeys = Enumerable.Range(0, Items).OrderByDescending(k => counts[k]).Take(10).ToList();
        Assert.Contains(hotKeys, k => k >= 10);
        // Most keys are drawn rarely, but the draws reach far into the key space.
        Assert.True(counts.Count(c => c > 0) > Items / 4);
    }

    [Fact]
    public void A_seed_replays_the_same_sequence()
    {
        var first = new ScrambledZipfianGenerator(1_000, new Random(42));
        var second = new ScrambledZipfianGenerator(1_000, new Random(42));
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal(first.Next(), second.Next());
        }
    }

    [Fact]
    public void Tiny_key_spaces_stay_in_range()
    {
        foreach (var items in (long[])[1, 2, 3])
        {
            var plain = new ZipfianGenerator(items, ZipfianGenerator.YcsbTheta, new Random(1));
            var scrambled = new ScrambledZipfianGenerator(items, new Random(1));
            for (var i = 0; i < 10_000; i++)
            {
                Assert.InRange(plain.Next(), 0, items - 1);
                Assert.InRange(scrambled.Next(), 0, items - 1);
            }
        }
    }

    [Fact]
    public void Fnv_hash_matches_ycsb()
    {
        // YCSB Utils.fnvhash64(0) and (1): FNV-1a 64 over 8 little-endian bytes, then Math.abs.
        Assert.Equal(Fnv1a(0), ScrambledZipfianGenerator.Fnv64(0));
        Assert.Equal(Fnv1a(123_456_789), ScrambledZipfianGenerator.Fnv64(123_456_789));
    }

    private static ulong Fnv1a(long value)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in BitConverter.GetBytes(value))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var signed = (long)hash;
        return (ulong)Math.Abs(signed);
    }

    private static int[] Count(Func<long> next, int items)
    {
        var counts = new int[items];
        for (var i = 0; i < Draws; i++)
        {
            counts[next()]++;
        }

        return counts;
    }
}
