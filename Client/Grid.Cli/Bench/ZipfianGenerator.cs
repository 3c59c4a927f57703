namespace Grid.Cli.Bench;

/// <summary>
/// Zipfian item numbers 0..items-1, item 0 the most popular: YCSB's <c>ZipfianGenerator</c>
/// (Gray et al., "Quickly generating billion-record synthetic databases", SIGMOD'94), with the
/// randomness of a seeded <see cref="Random"/> so a run replays. Not thread-safe: one per loop.
/// </summary>
internal sealed class ZipfianGenerator
{
    /// <summary>YCSB's default skew (<c>ZIPFIAN_CONSTANT</c>).</summary>
    public const double YcsbTheta = 0.99;

    private readonly Random _random;
    private readonly long _items;
    private readonly double _theta;
    private readonly double _zetan;
    private readonly double _alpha;
    private readonly double _eta;
    private readonly double _halfPowTheta;

    /// <summary>Computes zeta(items, theta), which costs O(items) once.</summary>
    public ZipfianGenerator(long items, double theta, Random random)
        : this(items, theta, Zeta(items, theta), random)
    {
    }

    /// <summary>
    /// With zeta(items, theta) given: YCSB precomputes it for the 10^10 items of its scrambled
    /// generator, which would take minutes to sum.
    /// </summary>
    public ZipfianGenerator(long items, double theta, double zetan, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        if (theta is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "must be in (0, 1)");
        }

        ArgumentNullException.ThrowIfNull(random);
        _random = random;
        _items = items;
        _theta = theta;
        _zetan = zetan;
        _alpha = 1.0 / (1.0 - theta);
        var zeta2 = Zeta(Math.Min(2, items), theta);
        _eta = (1 - Math.Pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetan);
        _halfPowTheta = 1.0 + Math.Pow(0.5, theta);
    }

    public long Items => _items;

    public double Theta => _theta;

    public long Next()
    {
        var u = _random.NextDouble();
        var uz = u * _zetan;
        if (uz < 1.0)
        {
            return 0;
        }

        if (uz < _halfPowTheta)
        {
            return Math.Min(1, _items - 1);
        }

        var item = (long)(_items * Math.Pow(_eta * u - _eta + 1, _alpha));
        // Rounding at u close to 1 can land on items itself.
        return Math.Min(item, _items - 1);
    }

    /// <summary>zeta(n, theta) = sum over i in 1..n of 1 / i^theta.</summary>
    public static double Zeta(long n, double theta)
    {
        var sum = 0.0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1 / Math.Pow(i, theta);
        }

        return sum;
    }
}
