using System.Globalization;
using ScottPlot;
using ScottPlot.MultiplotLayouts;

namespace Grid.Cli.Bench;

/// <summary>
/// The <c>--plot</c> picture of any bench (DESIGN.md, performance method): one PNG with the p50
/// and p99 of every row on a log scale, since one run spans sub-microsecond signatures to
/// millisecond tails, and, for a run with a crash, each system's throughput per window with the
/// moment of its crash marked. Drawn from the same results as the table and the JSON.
/// </summary>
internal static class BenchPlot
{
    public const int Width = 1000;

    private const float TitleAndAxisPixels = 110;
    private const float PixelsPerRow = 30;
    private const float TimelinePixels = 380;

    /// <summary>Writes the picture to <paramref name="path"/> (PNG) and returns its height in pixels.</summary>
    public static int Write(
        string path, string bench, IReadOnlyList<BenchResult> results, IReadOnlyList<BenchSystemReport>? systems = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(bench);
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("a bench plot needs at least one result row", nameof(results));
        }

        var timelines = systems?.Where(s => s.Timeline is { Count: > 0 }).ToList() ?? [];
        var latencyHeight = TitleAndAxisPixels + (PixelsPerRow * results.Count);
        var height = (int)(latencyHeight + (timelines.Count > 0 ? TimelinePixels : 0));

        // A new Multiplot holds one plot already: the latencies go there.
        var figure = new Multiplot();
        DrawLatencies(figure.GetPlot(0), bench, results);
        if (timelines.Count > 0)
        {
            var layout = new DraggableRows();
            figure.Layout = layout;
            DrawTimelines(figure.AddPlot(), timelines);
            layout.SetHeights([latencyHeight, TimelinePixels]);
        }

        figure.SavePng(path, Width, height);
        return height;
    }

    /// <summary>The label of a row: system and op, and what tells rows of one run apart.</summary>
    public static string Label(BenchResult row, bool withOutstanding)
    {
        ArgumentNullException.ThrowIfNull(row);
        var label = $"{row.System} {row.Op}";
        if (withOutstanding)
        {
            label += $" x{row.Outstanding}";
        }

        if (row.Extra?.TryGetValue("message_bytes", out var bytes) == true)
        {
            label += $" {Convert.ToInt64(bytes, CultureInfo.InvariantCulture):N0} B";
        }

        return label;
    }

    private static void DrawLatencies(Plot plot, string bench, IReadOnlyList<BenchResult> results)
    {
        var withOutstanding = results.Select(r => r.Outstanding).Distinct().Count() > 1;
        var positions = new double[results.Count];
        var labels = new string[results.Count];
        var p50 = new List<Coordinates>();
        var p99 = new List<Coordinates>();
        var min = double.MaxValue;
        var max = double.MinValue;
        for (var i = 0; i < results.Count; i++)
        {
            // Top to bottom in table order.
            var row = results[i];
            var y = results.Count - 1 - i;
            positions[i] = y;
            labels[i] = Label(row, withOutstanding);
            if (row.Count == 0 || row.P50Microseconds <= 0 || row.P99Microseconds <= 0)
            {
                labels[i] += " (no completed ops)";
                continue;
            }

            var low = Math.Log10(row.P50Microseconds);
            var high = Math.Log10(row.P99Microseconds);
            p50.Add(new Coordinates(low, y));
            p99.Add(new Coordinates(high, y));
            var span = plot.Add.Line(low, y, high, y);
            span.LineColor = Colors.Gray.WithAlpha(0.5);
            span.LineWidth = 2;
            min = Math.Min(min, low);
            max = Math.Max(max, high);
        }

        var median = plot.Add.ScatterPoints(p50);
        median.LegendText = "p50";
        median.MarkerSize = 9;
        median.MarkerShape = MarkerShape.FilledCircle;
        median.Color = Colors.C0;
        var tail = plot.Add.ScatterPoints(p99);
        tail.LegendText = "p99";
        tail.MarkerSize = 9;
        tail.MarkerShape = MarkerShape.OpenTriangleUp;
        tail.Color = Colors.C1;

        plot.Title($"grid bench {bench}: latency per op");
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.Label.Text = "µs (log scale)";
        if (p50.Count > 0)
        {
            var first = (int)Math.Floor(min);
            var last = (int)Math.Ceiling(max);
            if (last == first)
            {
                last++;
            }

            plot.Axes.Bottom.TickGenerator = DecadeTicks(first, last);
            plot.Axes.SetLimitsX(first - 0.02, last + 0.04);
            plot.Grid.MinorLineWidth = 1;
            plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.04);
        }

        plot.Axes.SetLimitsY(-0.7, results.Count - 0.3);
        plot.ShowLegend(Alignment.LowerRight);
    }

    private static void DrawTimelines(Plot plot, List<BenchSystemReport> systems)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var top = 0.0;
        for (var i = 0; i < systems.Count; i++)
        {
            var system = systems[i];
            var color = palette.GetColor(i);
            var points = system.Timeline!;
            var line = plot.Add.Scatter(
                points.Select(p => p.StartMilliseconds).ToArray(),
                points.Select(p => p.OpsPerSecond).ToArray());
            line.LegendText = system.System;
            line.Color = color;
            line.MarkerSize = 3;
            top = Math.Max(top, points.Max(p => p.OpsPerSecond));
            if (system.Crash is { } crash)
            {
                var marker = plot.Add.VerticalLine(crash.AtMilliseconds);
                marker.Color = color;
                marker.LinePattern = LinePattern.Dashed;
                marker.LegendText = $"{system.System}: memnode {crash.MemoryNode} killed";
            }
        }

        plot.Title("ops/s per window (all ops of the system)");
        plot.Axes.Bottom.Label.Text = "ms after the measured phase started";
        plot.Axes.Left.Label.Text = "ops/s";
        plot.Axes.SetLimitsY(0, Math.Max(1, top) * 1.15);
        plot.ShowLegend(Alignment.LowerLeft);
    }

    /// <summary>Major ticks at powers of ten labelled in µs, minor ticks at 2–9 of each decade.</summary>
    private static ScottPlot.TickGenerators.NumericManual DecadeTicks(int firstExponent, int lastExponent)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var exponent = firstExponent; exponent <= lastExponent; exponent++)
        {
            var value = Math.Pow(10, exponent);
            ticks.AddMajor(exponent, value.ToString(value < 1 ? "0.###" : "N0", CultureInfo.InvariantCulture));
            if (exponent == lastExponent)
            {
                break;
            }

            for (var m = 2; m <= 9; m++)
            {
                ticks.AddMinor(exponent + Math.Log10(m));
            }
        }

        return ticks;
    }
}
