using System.Diagnostics;
using Grid.RdmaTransport;

namespace Grid.Cli.Bench;

/// <summary>
/// Runs one round of a <see cref="BenchRow"/>: every loop warms up, then every loop runs its
/// share of the round's measured ops while the wall clock runs. A
/// <see cref="TransportException"/> is counted as an error and the loop goes on; anything else
/// ends the run.
/// </summary>
internal static class BenchRunner
{
    /// <summary>Progress goes in chunks so 16 loops do not contend on a counter per op.</summary>
    private const int ProgressChunkOps = 256;

    /// <summary>The round's latencies (all loops merged) and its measured wall time.</summary>
    public static async Task<(LatencyRecorder Latencies, TimeSpan Elapsed)> RunRoundAsync(
        BenchRow row,
        int warmupOps,
        int measuredOps,
        Action<int> advance,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(advance);
        var ops = new Func<ValueTask>[row.Outstanding];
        var recorders = new LatencyRecorder[row.Outstanding];
        for (var loop = 0; loop < row.Outstanding; loop++)
        {
            ops[loop] = row.CreateLoop(loop);
            recorders[loop] = new LatencyRecorder();
        }

        // Warm-up and measurement are separate phases so the wall time covers only measured
        // ops, with every loop running from its first to its last.
        await RunPhaseAsync(row, ops, warmupOps, recorders: null, advance, cancellationToken)
            .ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        await RunPhaseAsync(row, ops, measuredOps, recorders, advance, cancellationToken)
            .ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);

        var total = recorders[0];
        for (var loop = 1; loop < recorders.Length; loop++)
        {
            total.Add(recorders[loop]);
        }

        return (total, elapsed);
    }

    private static Task RunPhaseAsync(
        BenchRow row,
        Func<ValueTask>[] ops,
        int phaseOps,
        LatencyRecorder[]? recorders,
        Action<int> advance,
        CancellationToken cancellationToken)
    {
        var loops = new Task[ops.Length];
        for (var loop = 0; loop < ops.Length; loop++)
        {
            var op = ops[loop];
            var count = BenchPlan.ShareOf(phaseOps, ops.Length, loop);
            var recorder = recorders?[loop];
            // Task.Run: on a fabric that completes inline (in-process, zero latency) a loop
            // would otherwise run to its end before the next one even starts.
            loops[loop] = Task.Run(
                () => RunLoopAsync(
                    op, count, recorder, row.RecoverAsync, advance, cancellationToken),
                cancellationToken);
        }

        return Task.WhenAll(loops);
    }

    private static async Task RunLoopAsync(
        Func<ValueTask> op,
        int count,
        LatencyRecorder? recorder,
        Func<ValueTask>? recoverAsync,
        Action<int> advance,
        CancellationToken cancellationToken)
    {
        var unreported = 0;
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            try
            {
                await op().ConfigureAwait(false);
                recorder?.Record(Stopwatch.GetTimestamp() - start);
            }
            catch (TransportException)
            {
                recorder?.RecordError();
                await RecoverAsync(recoverAsync).ConfigureAwait(false);
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

    private static async ValueTask RecoverAsync(Func<ValueTask>? recoverAsync)
    {
        if (recoverAsync is null)
        {
            return;
        }

        try
        {
            await recoverAsync().ConfigureAwait(false);
        }
        catch (TransportException)
        {
            // The connection is gone for good; the next ops fail fast and are counted.
        }
    }
}
