using System.Globalization;
using Spectre.Console;

namespace Grid.Cli.Bench;

/// <summary>
/// The tables printed after a run with a crash: what the crash cost per system, and throughput
/// per window around it, the windows aligned on the one each system's crash fell in.
/// </summary>
internal static class CrashTables
{
    /// <summary>Windows shown before and after the crash window.</summary>
    private const int WindowsBefore = 5;
    private const int WindowsAfter = 10;

    public static Table Summary(IReadOnlyList<BenchSystemReport> systems)
    {
        ArgumentNullException.ThrowIfNull(systems);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("system");
        foreach (var name in (string[])["crash at ms", "memnode", "failed ops", "lost writes", "checked keys", "check errors"])
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        foreach (var system in systems)
        {
            if (system.Crash is not { } crash)
            {
                continue;
            }

            table.AddRow(
                system.System,
                crash.AtMilliseconds.ToString("N1", CultureInfo.InvariantCulture),
                crash.MemoryNode.ToString(CultureInfo.InvariantCulture),
                crash.FailedOps.ToString("N0", CultureInfo.InvariantCulture),
                crash.LostWrites.ToString("N0", CultureInfo.InvariantCulture),
                crash.CheckedKeys.ToString("N0", CultureInfo.InvariantCulture),
                crash.CheckErrors.ToString("N0", CultureInfo.InvariantCulture));
        }

        table.Caption("lost writes = keys whose final value no correct store could hold given the acknowledged updates");
        return table;
    }

    public static Table Timeline(IReadOnlyList<BenchSystemReport> systems)
    {
        ArgumentNullException.ThrowIfNull(systems);
        var shown = systems.Where(s => s.Crash is not null && s.Timeline is not null).ToList();
        var window = ThroughputTimeline.Window.TotalMilliseconds;
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("ms from crash window").RightAligned());
        foreach (var system in shown)
        {
            table.AddColumn(new TableColumn($"{Markup.Escape(system.System)} ops/s").RightAligned());
        }

        for (var offset = -WindowsBefore; offset <= WindowsAfter; offset++)
        {
            var cells = new List<string> { (offset * window).ToString("+0;-0;0", CultureInfo.InvariantCulture) };
            foreach (var system in shown)
            {
                var index = (int)(system.Crash!.AtMilliseconds / window) + offset;
                cells.Add(index >= 0 && index < system.Timeline!.Count
                    ? system.Timeline[index].OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture)
                    : "");
            }

            table.AddRow(cells.ToArray());
        }

        table.Caption($"completed ops per second in {window} ms windows; window 0 holds the crash");
        return table;
    }
}
