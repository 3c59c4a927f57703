namespace Grid.Cli.Output;

/// <summary>
/// <c>grid account deposit --json</c>: the deposit id (generated unless given) and the balance
/// after it.
/// </summary>
internal sealed record DepositJson(string Account, string DepositId, long Balance);
