namespace Grid.Cli.Bench;

/// <summary>What <c>grid bench swarm</c> measured: rows per system and op, and per crashed system its crash report.</summary>
internal sealed record SwarmBenchOutcome(
    IReadOnlyList<BenchResult> Results, IReadOnlyList<BenchSystemReport> Systems);
