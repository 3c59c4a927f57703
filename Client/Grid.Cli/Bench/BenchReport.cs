using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>
/// The JSON document of one bench run: <c>{"bench": ..., "results": [...]}</c>, plus
/// <c>"systems": [...]</c> for a bench that reports more per system than its rows (time series,
/// fault outcomes).
/// </summary>
internal sealed record BenchReport(
    [property: JsonPropertyName("bench")] string Bench,
    [property: JsonPropertyName("results")] IReadOnlyList<BenchResult> Results)
{
    [JsonPropertyName("systems")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<BenchSystemReport>? Systems { get; init; }
}
