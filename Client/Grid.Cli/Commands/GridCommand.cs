using System.CommandLine;

namespace Grid.Cli.Commands;

/// <summary>The root of <c>grid</c>: builds the command tree and runs one command line.</summary>
internal static class GridCommand
{
    /// <param name="input">
    /// What <c>grid kv import</c> reads without a file; null: standard input, as UTF-8.
    /// </param>
    public static RootCommand Create(TextReader? input = null) =>
        new("grid: the Grid command line. " +
            "Commands: kv, account, orders, status, dsig, bench (transport, swarm, grains, dsig).")
        {
            KvCommand.Create(input),
            AccountCommand.Create(),
            OrdersCommand.Create(),
            StatusCommand.Create(),
            DsigCommand.Create(),
            BenchCommand.Create(),
        };

    public static Task<int> InvokeAsync(string[] args) =>
        InvokeAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to <paramref name="output"/> and
    /// <paramref name="error"/> (tests pass their own). A parse error becomes one line on
    /// standard error and exit code 2 instead of System.CommandLine's error-plus-help page, so a
    /// script that captures standard error gets the reason and nothing else.
    /// </summary>
    public static Task<int> InvokeAsync(
        string[] args,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken = default) =>
        InvokeAsync(args, null, output, error, cancellationToken);

    /// <summary>
    /// As <see cref="InvokeAsync(string[], TextWriter, TextWriter, CancellationToken)"/>, with
    /// <paramref name="input"/> in place of standard input (null: standard input).
    /// </summary>
    public static async Task<int> InvokeAsync(
        string[] args,
        TextReader? input,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken = default)
    {
        var parseResult = Create(input).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var messages = string.Join("; ", parseResult.Errors.Select(e => e.Message));
            await error.WriteLineAsync($"grid: {messages} (see 'grid --help')")
                .ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // System.CommandLine 2.0.0 leaves the termination timeout unset, so Ctrl+C and SIGTERM
        // would kill grid at once and leave a bench's memory nodes running
        // (dotnet/command-line-api#2739): give commands 2 s to cancel and clean up.
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = TimeSpan.FromSeconds(2),
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken)
            .ConfigureAwait(false);
    }
}
