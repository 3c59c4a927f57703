using System.Diagnostics;

namespace Grid.Cli.Bench;

/// <summary>
/// Runs one round of a <see cref="BenchRow"/>: every loop warms up, then every loop runs its
/// share of the round's measured ops while the wall clock runs. An exception the row counts as
/// an error (<see cref="BenchRow.IsError"/>) is recorded against the op that threw and the loop
/// goes on; anything else ends the run.
/// </summary>
internal static class BenchRunner
{
    /// <summary>Progress goes in chunks so 16 loops do not contend on a counter per op.</summary>
    private const int ProgressChunkOps = 256;

    /// <summary>
    /// The round's latencies per op of the row (all loops merged, in the order of
    /// <see cref="BenchRow.Ops"/>) and its measured wall time.
    /// </summary>
    public static async Task<(LatencyRecorder[] Latencies, TimeSpan Elapsed)> RunRoundAsync(
        BenchRow row,
        int warmupOps,
        int measuredOps,
        Action<int> advance,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(advance);
        var loops = new IBenchLoop[row.Outstanding];
        var recorders = new LatencyRecorder[row.Outstanding][];
        for (var loop = 0; loop < row.Outstanding; loop++)
        {
            loops[loop] = row.CreateLoop(loop);
            recorders[loop] = NewRecorders(row.Ops.Count);
        }

        // Warm-up and measurement are separate phases so the wall time covers only measured
        // ops, with every loop running from its first to its last.
        await RunPhaseAsync(row, loops, warmupOps, recorders: null, deadline: 0, advance, cancellationToken)
            .ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        row.MeasurementStarting?.Invoke(start);
        var deadline = row.MinimumMeasuredDuration is { } minimum
            ? start + (long)(minimum.TotalSeconds * Stopwatch.Frequency)
            : 0;
        await RunPhaseAsync(row, loops, measuredOps, recorders, deadline, advance, cancellationToken)
            .ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);

        var total = recorders[0];
        for (var loop = 1; loop < recorders.Length; loop++)
        {
            for (var op = 0; op < total.Length; op++)
            {
                total[op].Add(recorders[loop][op]);
            }
        }

        return (total, elapsed);
    }

    private static LatencyRecorder[] NewRecorders(int ops)
    {
        var recorders = new LatencyRecorder[ops];
        for (var op = 0; op < ops; op++)
        {
            recorders[op] = new LatencyRecorder();
        }

        return recorders;
    }

    private static Task RunPhaseAsync(
        BenchRow row,
        IBenchLoop[] loops,
        int phaseOps,
        LatencyRecorder[][]? recorders,
        long deadline,
        Action<int> advance,
        CancellationToken cancellationToken)
    {
        var tasks = new Task[loops.Length];
        for (var index = 0; index < loops.Length; index++)
        {
            var loop = loops[index];
            var count = BenchPlan.ShareOf(phaseOps, loops.Length, index);
            var loopRecorders = recorders?[index];
            // Task.Run: on a fabric that completes inline (in-process, zero latency) a loop
            // would otherwise run to its end before the next one even starts.
            tasks[index] = Task.Run(
                () => RunLoopAsync(row, loop, count, deadline, loopRecorders, advance, cancellationToken),
                cancellationToken);
        }

        return Task.WhenAll(tasks);
    }

    private static async Task RunLoopAsync(
        BenchRow row,
        IBenchLoop loop,
        int count,
        long deadline,
        LatencyRecorder[]? recorders,
        Action<int> advance,
        CancellationToken cancellationToken)
    {
        var unreported = 0;
        for (var i = 0; i < count || (deadline != 0 && Stopwatch.GetTimestamp() < deadline); i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var op = loop.NextOp();
            var start = Stopwatch.GetTimestamp();
            try
            {
                await loop.RunAsync().ConfigureAwait(false);
                recorders?[op].Record(Stopwatch.GetTimestamp() - start, loop.LastRoundtrips);
            }
            catch (Exception ex) when (row.IsError(ex))
            {
                recorders?[op].RecordError();
                await RecoverAsync(row).ConfigureAwait(false);
            }

            if (++unreported == ProgressChunkOps)
            {
                advance(unreported);
                unreported = 0;
            }
        }

        if (unreported > 0)
        {
            advance(unreported);
        }
    }

    private static async ValueTask RecoverAsync(BenchRow row)
    {
        if (row.RecoverAsync is null)
        {
            return;
        }

        try
        {
            await row.RecoverAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (row.IsError(ex))
        {
            // The connection is gone for good; the next ops fail fast and are counted.
        }
    }
}
