namespace Grid.Cli.Bench;

/// <summary>How many ops each row of a bench runs: a warm-up, then the measured ones.</summary>
internal readonly record struct BenchPlan(int MeasuredOps, int WarmupOps)
{
    /// <summary>Enough for steady state (JIT tiering, socket buffers) on every fabric.</summary>
    public const int WarmupOpsMax = 2_000;

    public long TotalOps => (long)MeasuredOps + WarmupOps;

    /// <summary>Warm-up of 10% of the measured ops, at most <see cref="WarmupOpsMax"/>.</summary>
    public static BenchPlan ForMeasuredOps(int measuredOps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(measuredOps, 1);
        return new BenchPlan(measuredOps, Math.Min(measuredOps / 10, WarmupOpsMax));
    }

    /// <summary>How many of <paramref name="ops"/> loop <paramref name="loop"/> runs.</summary>
    public static int ShareOf(int ops, int loops, int loop) =>
        ops / loops + (loop < ops % loops ? 1 : 0);
}
