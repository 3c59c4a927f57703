namespace Grid.Cli.Bench.Grains;

/// <summary>
/// Which grains of a pool a loop of a row uses: loop <c>l</c> of <c>c</c> takes grains
/// <c>l, l+c, l+2c, …</c> round and round, so that no two loops ever have an op in flight on
/// the same grain (a grain's storage operations and calls are serial in Orleans).
/// </summary>
internal static class LoopGrains
{
    /// <summary>A function returning loop <paramref name="loop"/>'s next grain index each call.</summary>
    public static Func<int> Cycle(int loop, int loops, int grains)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(loop);
        // Every loop needs a grain of its own (the pool has at least one per loop).
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(loop, Math.Min(loops, grains));
        var next = loop;
        return () =>
        {
            var grain = next;
            next += loops;
            if (next >= grains)
            {
                next = loop;
            }

            return grain;
        };
    }
}
