using System.CommandLine;
using Grid.Cli.Commands;

namespace Grid.Cli.Bench;

/// <summary>
/// The files a bench writes besides its table: <c>--json FILE</c> (the results in the transport
/// bench's shape) and <c>--plot FILE.png</c> (<see cref="BenchPlot"/>). Both paths are checked
/// before the run, so a typo does not cost a finished measurement.
/// </summary>
internal sealed record BenchOutputFiles(string? JsonPath, string? PlotPath)
{
    public static Option<string?> JsonOption() => new("--json")
    {
        HelpName = "FILE",
        Description = "Also write the results as JSON to this file",
    };

    public static Option<string?> PlotOption() => new("--plot")
    {
        HelpName = "FILE.png",
        Description = "Also draw the results (p50/p99 per op on a log scale; with a crash, ops/s over time) as a PNG",
    };

    /// <summary>Reads and checks both options; throws <see cref="IOException"/> or <see cref="ArgumentException"/>.</summary>
    public static BenchOutputFiles Read(ParseResult result, Option<string?> json, Option<string?> plot)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Check(result.GetValue(json), result.GetValue(plot));
    }

    /// <summary>The checks of <see cref="Read"/> on the two paths (null: not asked for).</summary>
    public static BenchOutputFiles Check(string? jsonPath, string? plotPath)
    {
        if (plotPath is not null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--plot writes a PNG image: name the file *.png, not '{plotPath}'");
        }

        return new BenchOutputFiles(CheckDirectory("--json", jsonPath), CheckDirectory("--plot", plotPath));
    }

    /// <summary>Fails before the run, not after it, when the file cannot go there.</summary>
    private static string? CheckDirectory(string option, string? path)
    {
        if (path is null)
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new IOException($"{option}: the directory '{directory}' does not exist");
        }

        return path;
    }

    /// <summary>Writes whichever files were asked for; the exit code of the command.</summary>
    public async Task<int> WriteAsync(
        string bench,
        IReadOnlyList<BenchResult> results,
        IReadOnlyList<BenchSystemReport>? systems,
        CancellationToken cancellationToken)
    {
        var exitCode = ExitCodes.Success;
        if (JsonPath is not null)
        {
            try
            {
                await BenchJson.WriteAsync(JsonPath, bench, results, systems, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"grid: --json: {ex.Message}").ConfigureAwait(false);
                exitCode = ExitCodes.Failure;
            }
        }

        if (PlotPath is not null)
        {
            try
            {
                BenchPlot.Write(PlotPath, bench, results, systems);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"grid: --plot: {ex.Message}").ConfigureAwait(false);
                exitCode = ExitCodes.Failure;
            }
        }

        return exitCode;
    }
}
