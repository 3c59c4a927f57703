using Spectre.Console;

namespace Grid.Cli.Bench;

/// <summary>
/// Where bench output goes: results (table, ratios) on standard output, progress on standard
/// error, so a redirected standard output holds only results, in a terminal or in CI.
/// </summary>
internal static class BenchConsoles
{
    /// <summary>
    /// A redirected stream has no terminal width and Spectre would assume 80 columns, wrapping
    /// the cells of a wide table; a file or CI log has room. Tables take only what they need.
    /// </summary>
    private const int RedirectedWidth = 160;

    public static IAnsiConsole CreateResults() =>
        Create(new AnsiConsoleOutput(Console.Out), Console.IsOutputRedirected);

    public static IAnsiConsole CreateProgress() =>
        Create(new AnsiConsoleOutput(Console.Error), Console.IsErrorRedirected);

    private static IAnsiConsole Create(AnsiConsoleOutput output, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = output });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
