using Grid.Grains.Accounts;

namespace Grid.Cli.Output;

/// <summary><c>grid account history --json</c>: entries newest last.</summary>
internal sealed record HistoryJson(string Account, IReadOnlyList<AccountEntry> Entries);
