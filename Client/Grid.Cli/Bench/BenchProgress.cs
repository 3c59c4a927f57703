using Spectre.Console;

namespace Grid.Cli.Bench;

/// <summary>
/// Runs the rows under a Spectre progress display, a bar per row: round after round, each round
/// running every row once (see <see cref="BenchPlan"/>), then merges each row's rounds into one
/// result per op of the row.
/// </summary>
internal static class BenchProgress
{
    /// <summary>The progress display of every bench: a bar per task, percentage, elapsed time.</summary>
    public static Progress Display(IAnsiConsole console) =>
        console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn());

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        IAnsiConsole console,
        IReadOnlyList<BenchRow> rows,
        BenchPlan plan,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(rows);
        var results = new List<BenchResult>(rows.Count);
        await Display(console)
            .StartAsync(async context =>
            {
                // All bars up front, so the display shows what is still to come.
                var tasks = new ProgressTask[rows.Count];
                for (var i = 0; i < rows.Count; i++)
                {
                    tasks[i] = context.AddTask(
                        Markup.Escape(rows[i].Name), autoStart: false, maxValue: plan.TotalOps);
                }

                var latencies = new LatencyRecorder[rows.Count][];
                var elapsed = new TimeSpan[rows.Count];
                for (var round = 0; round < plan.Rounds; round++)
                {
                    for (var i = 0; i < rows.Count; i++)
                    {
                        var task = tasks[i];
                        task.StartTask();
                        var (recorded, took) = await BenchRunner.RunRoundAsync(
                            rows[i],
                            plan.WarmupOpsInRound(round),
                            plan.MeasuredOpsInRound(round),
                            ops => task.Increment(ops),
                            cancellationToken).ConfigureAwait(false);
                        if (latencies[i] is null)
                        {
                            latencies[i] = recorded;
                        }
                        else
                        {
                            for (var op = 0; op < recorded.Length; op++)
                            {
                                latencies[i][op].Add(recorded[op]);
                            }
                        }

                        elapsed[i] += took;
                    }
                }

                for (var i = 0; i < rows.Count; i++)
                {
                    tasks[i].Value = tasks[i].MaxValue;
                    tasks[i].StopTask();
                    for (var op = 0; op < rows[i].Ops.Count; op++)
                    {
                        results.Add(latencies[i][op].ToResult(
                            rows[i].System, rows[i].Ops[op], rows[i].Outstanding, elapsed[i]));
                    }
                }
            }).ConfigureAwait(false);
        return results;
    }
}
