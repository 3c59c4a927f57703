using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>
/// One row of any <c>grid bench</c>: what was measured and how it went. The JSON names are the
/// published format (snake_case); a bench with more to say puts it in <see cref="Extra"/>, which
/// lands as further properties of the row and further columns of the table.
/// </summary>
internal sealed record BenchResult
{
    /// <summary>What was measured: a fabric ("tcp") or a baseline ("socket-pingpong").</summary>
    [JsonPropertyName("system")]
    public required string System { get; init; }

    [JsonPropertyName("op")]
    public required string Op { get; init; }

    /// <summary>Concurrent loops, each with one batch (or request) in flight at a time.</summary>
    [JsonPropertyName("outstanding")]
    public required int Outstanding { get; init; }

    /// <summary>Measured ops that completed; failed ones count in <see cref="Errors"/>.</summary>
    [JsonPropertyName("count")]
    public required long Count { get; init; }

    [JsonPropertyName("p50_us")]
    public required double P50Microseconds { get; init; }

    [JsonPropertyName("p99_us")]
    public required double P99Microseconds { get; init; }

    /// <summary>Completed ops per second of the row's wall time (all loops together).</summary>
    [JsonPropertyName("ops_per_s")]
    public required double OpsPerSecond { get; init; }

    [JsonPropertyName("errors")]
    public required long Errors { get; init; }

    /// <summary>
    /// Bench-specific fields (for example roundtrips per op) in column order; values are
    /// string, bool, int, long or double (<see cref="BenchJsonContext"/> knows those). Not a
    /// JsonObject: System.Text.Json 10 writes that as a nameless nested object, which is not
    /// JSON. Settable rather than init-only: extension data cannot bind through an initializer.
    /// </summary>
    [JsonExtensionData]
    [SuppressMessage("Usage", "CA2227", Justification = "System.Text.Json extension data")]
    public Dictionary<string, object>? Extra { get; set; }
}
