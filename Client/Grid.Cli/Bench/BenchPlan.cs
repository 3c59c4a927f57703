namespace Grid.Cli.Bench;

/// <summary>
/// How many ops each row of a bench runs: a warm-up, then the measured ones, spread over
/// <see cref="Rounds"/> rounds. Every round runs every row once, so a slow phase of the machine
/// (this is a shared VM) lands on all rows alike instead of on whichever row ran then; rows are
/// compared side by side, not one after the other.
/// </summary>
internal readonly record struct BenchPlan(int MeasuredOps, int WarmupOps, int Rounds = 1)
{
    /// <summary>Enough for steady state (JIT tiering, socket buffers) on every fabric.</summary>
    public const int WarmupOpsMax = 2_000;

    public long TotalOps => (long)MeasuredOps + WarmupOps;

    /// <summary>Warm-up of 10% of the measured ops, at most <see cref="WarmupOpsMax"/>.</summary>
    public static BenchPlan ForMeasuredOps(int measuredOps, int rounds = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(measuredOps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rounds, measuredOps);
        return new BenchPlan(measuredOps, Math.Min(measuredOps / 10, WarmupOpsMax), rounds);
    }

    /// <summary>Warm-up ops of a round: all of them in the first.</summary>
    public int WarmupOpsInRound(int round) => round == 0 ? WarmupOps : 0;

    /// <summary>Measured ops of a round.</summary>
    public int MeasuredOpsInRound(int round) => ShareOf(MeasuredOps, Rounds, round);

    /// <summary>How many of <paramref name="ops"/> loop <paramref name="loop"/> runs.</summary>
    public static int ShareOf(int ops, int loops, int loop) =>
        ops / loops + (loop < ops % loops ? 1 : 0);
}
