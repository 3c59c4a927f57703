using Grid.Grains.Matching;

namespace Grid.Cli.Output;

/// <summary><c>grid orders book --json</c>: best price first on each side.</summary>
internal sealed record BookJson(
    string Symbol, IReadOnlyList<DepthLevel> Bids, IReadOnlyList<DepthLevel> Asks);
