using Spectre.Console;

namespace Grid.Cli.Bench;

/// <summary>Runs rows one after another under a Spectre progress display, a bar per row.</summary>
internal static class BenchProgress
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(
        IAnsiConsole console,
        IReadOnlyList<BenchRow> rows,
        BenchPlan plan,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(rows);
        var results = new List<BenchResult>(rows.Count);
        await console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                // All bars up front, so the display shows what is still to come.
                var tasks = new ProgressTask[rows.Count];
                for (var i = 0; i < rows.Count; i++)
                {
                    tasks[i] = context.AddTask(
                        Markup.Escape(rows[i].Name), autoStart: false, maxValue: plan.TotalOps);
                }

                for (var i = 0; i < rows.Count; i++)
                {
                    var task = tasks[i];
                    task.StartTask();
                    results.Add(await BenchRunner.RunAsync(
                        rows[i], plan, ops => task.Increment(ops), cancellationToken)
                        .ConfigureAwait(false));
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return results;
    }
}
