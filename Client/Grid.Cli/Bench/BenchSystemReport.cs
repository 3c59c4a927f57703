using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>What a bench reports about one system beyond its rows: the outcome of a crash.</summary>
internal sealed record BenchSystemReport
{
    [JsonPropertyName("system")]
    public required string System { get; init; }

    [JsonPropertyName("crash")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BenchCrashReport? Crash { get; init; }

    /// <summary>Completed ops per second in consecutive windows of the measured phase.</summary>
    [JsonPropertyName("timeline")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<BenchTimelinePoint>? Timeline { get; init; }
}
