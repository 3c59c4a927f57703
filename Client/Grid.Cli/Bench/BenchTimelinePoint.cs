using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>One window of a throughput time series.</summary>
/// <param name="StartMilliseconds">Start of the window, in ms after the measured phase started.</param>
/// <param name="OpsPerSecond">Ops completed in the window, per second.</param>
internal sealed record BenchTimelinePoint(
    [property: JsonPropertyName("t_ms")] double StartMilliseconds,
    [property: JsonPropertyName("ops_per_s")] double OpsPerSecond);
