using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Grid.Cli.Bench;

/// <summary>
/// The table of any bench: the fixed columns of <see cref="BenchResult"/>, then one column per
/// extra field, in the order the fields first appear. An extra column is headed by its JSON name
/// unless <c>headers</c> gives a shorter one, so that wide tables fit a terminal.
/// </summary>
internal static class BenchTable
{
    private static readonly string[] NumberColumns =
        ["outstanding", "count", "p50 µs", "p99 µs", "ops/s", "errors"];

    public static Table Create(
        IReadOnlyList<BenchResult> results,
        string? caption = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var extraColumns = ExtraColumns(results);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("system");
        table.AddColumn("op");
        foreach (var name in NumberColumns)
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        foreach (var name in extraColumns)
        {
            var header = headers?.GetValueOrDefault(name) ?? name;
            table.AddColumn(new TableColumn(Markup.Escape(header)).RightAligned());
        }

        foreach (var result in results)
        {
            var cells = new List<IRenderable>
            {
                new Text(result.System),
                new Text(result.Op),
                Number(result.Outstanding),
                Number(result.Count),
                new Text(result.P50Microseconds.ToString("0.00", CultureInfo.InvariantCulture)),
                new Text(result.P99Microseconds.ToString("0.00", CultureInfo.InvariantCulture)),
                new Text(result.OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture)),
                result.Errors == 0 ? Number(0) : new Text(Format(result.Errors), Color.Red),
            };
            foreach (var name in extraColumns)
            {
                cells.Add(new Text(FormatExtra(result.Extra?.GetValueOrDefault(name))));
            }

            table.AddRow(cells);
        }

        if (caption is not null)
        {
            table.Caption(Markup.Escape(caption));
        }

        return table;
    }

    private static List<string> ExtraColumns(IReadOnlyList<BenchResult> results)
    {
        var names = new List<string>();
        foreach (var result in results)
        {
            if (result.Extra is null)
            {
                continue;
            }

            foreach (var (name, _) in result.Extra)
            {
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static Text Number(long value) => new(Format(value));

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string FormatExtra(object? value) => value switch
    {
        null => "",
        bool flag => flag ? "true" : "false",
        int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture)
            .ToString("N0", CultureInfo.InvariantCulture),
        double number => number.ToString("#,0.##", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
