namespace Grid.Cli.Tests.Commands;

/// <summary>What one <c>grid</c> run returned and wrote.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Error}";
}
