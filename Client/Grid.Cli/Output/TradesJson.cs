using Grid.Grains.Matching;

namespace Grid.Cli.Output;

/// <summary><c>grid orders trades --json</c>: oldest first.</summary>
internal sealed record TradesJson(string Symbol, IReadOnlyList<Trade> Trades);
