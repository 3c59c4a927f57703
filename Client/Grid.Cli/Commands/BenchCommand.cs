using System.CommandLine;

namespace Grid.Cli.Commands;

/// <summary><c>grid bench</c>: the benchmarks, one subcommand each.</summary>
internal static class BenchCommand
{
    public static Command Create() =>
        new("bench", "Measure the grid: prints a table, optionally writes JSON (--json) and a PNG plot (--plot)")
        {
            BenchTransportCommand.Create(),
            BenchSwarmCommand.Create(),
            BenchGrainsCommand.Create(),
            BenchDsigCommand.Create(),
        };
}
