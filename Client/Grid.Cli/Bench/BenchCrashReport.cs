using System.Text.Json.Serialization;

namespace Grid.Cli.Bench;

/// <summary>A memory-node crash injected during a system's measured phase, and what it cost.</summary>
internal sealed record BenchCrashReport
{
    /// <summary>When the node was killed, in ms after the measured phase started.</summary>
    [JsonPropertyName("at_ms")]
    public required double AtMilliseconds { get; init; }

    /// <summary>Index of the killed memory node (0-based, in the order the bench started them).</summary>
    [JsonPropertyName("memnode")]
    public required int MemoryNode { get; init; }

    /// <summary>Measured ops of the system that threw (the crash run, not the check after it).</summary>
    [JsonPropertyName("failed_ops")]
    public required long FailedOps { get; init; }

    /// <summary>
    /// Keys whose value after the run is none that a correct store could return given the
    /// acknowledged updates (see <c>WriteHistory</c>).
    /// </summary>
    [JsonPropertyName("lost_writes")]
    public required long LostWrites { get; init; }

    /// <summary>Keys checked after the run (every loaded key).</summary>
    [JsonPropertyName("checked_keys")]
    public required long CheckedKeys { get; init; }

    /// <summary>Gets of the check that threw, so their keys could not be checked.</summary>
    [JsonPropertyName("check_errors")]
    public required long CheckErrors { get; init; }
}
