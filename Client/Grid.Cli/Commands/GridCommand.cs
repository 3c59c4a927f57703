using System.CommandLine;

namespace Grid.Cli.Commands;

/// <summary>The root of <c>grid</c>: builds the command tree and runs one command line.</summary>
internal static class GridCommand
{
    public static RootCommand Create() =>
        new("grid: the Grid command line. Commands: bench (transport, swarm).")
        {
            BenchCommand.Create(),
        };

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A parse error becomes one line on standard error
    /// and exit code 2 instead of System.CommandLine's error-plus-help page, so a script that
    /// captures standard error gets the reason and nothing else.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args)
    {
        var parseResult = Create().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var messages = string.Join("; ", parseResult.Errors.Select(error => error.Message));
            await Console.Error.WriteLineAsync($"grid: {messages} (see 'grid --help')")
                .ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync().ConfigureAwait(false);
    }
}
