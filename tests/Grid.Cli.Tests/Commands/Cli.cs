using Grid.Cli.Commands;

namespace Grid.Cli.Tests.Commands;

/// <summary>Runs <c>grid</c> in process with its output captured.</summary>
internal static class Cli
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>Runs with <paramref name="input"/> as standard input (null: the process's).</summary>
    public static async Task<CliRun> RunWithInputAsync(string input, params string[] args)
    {
        using var reader = new StringReader(input);
        return await RunAsync(reader, args);
    }

    private static async Task<CliRun> RunAsync(TextReader? input, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await GridCommand.InvokeAsync(
            args, input, output, error, TestContext.Current.CancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
