namespace Grid.Cli.Bench;

/// <summary>
/// YCSB's <c>ScrambledZipfianGenerator</c>, what its workloads A and B draw keys with: a zipfian
/// over 10^10 items (theta 0.99) whose item number is FNV-hashed onto 0..items-1, so the hot
/// keys are spread over the key space instead of being the first ones. The hottest key gets
/// about 1/zeta(10^10) = 3.8% of the draws whatever the key count. Not thread-safe.
/// </summary>
internal sealed class ScrambledZipfianGenerator
{
    /// <summary>YCSB's <c>ITEM_COUNT</c>.</summary>
    private const long ScrambledItems = 10_000_000_000;

    /// <summary>YCSB's <c>ZETAN</c>: zeta(10^10, 0.99), precomputed.</summary>
    private const double ScrambledZetan = 26.46902820178302;

    private const ulong FnvOffsetBasis = 0xCBF29CE484222325;
    private const ulong FnvPrime = 1099511628211;

    private readonly ZipfianGenerator _zipfian;
    private readonly long _items;

    public ScrambledZipfianGenerator(long items, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        _items = items;
        _zipfian = new ZipfianGenerator(
            ScrambledItems, ZipfianGenerator.YcsbTheta, ScrambledZetan, random);
    }

    public long Items => _items;

    public long Next() => (long)(Fnv64(_zipfian.Next()) % (ulong)_items);

    /// <summary>
    /// YCSB's <c>Utils.fnvhash64</c>: FNV-1a over the 8 bytes of the value, low byte first,
    /// made non-negative (Java's Math.abs; the one value it leaves negative is masked here).
    /// </summary>
    internal static ulong Fnv64(long value)
    {
        var hash = FnvOffsetBasis;
        for (var i = 0; i < 8; i++)
        {
            hash ^= (ulong)(value & 0xff);
            value >>= 8;
            hash *= FnvPrime;
        }

        var signed = unchecked((long)hash);
        return signed < 0 ? (ulong)(-signed) & long.MaxValue : (ulong)signed;
    }
}
