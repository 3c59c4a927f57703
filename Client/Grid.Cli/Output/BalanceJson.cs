namespace Grid.Cli.Output;

/// <summary><c>grid account balance --json</c>.</summary>
internal sealed record BalanceJson(string Account, long Balance);
