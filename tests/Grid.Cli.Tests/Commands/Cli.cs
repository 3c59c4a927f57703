using Grid.Cli.Commands;

namespace Grid.Cli.Tests.Commands;

/// <summary>Runs <c>grid</c> in process with its output captured.</summary>
internal static class Cli
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await GridCommand.InvokeAsync(args, output, error, TestContext.Current.CancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
