using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>The JSON document of one bench run: <c>{"bench": ..., "results": [...]}</c>.</summary>
internal sealed record BenchReport(
    [property: JsonPropertyName("bench")] string Bench,
    [property: JsonPropertyName("results")] IReadOnlyList<BenchResult> Results);
