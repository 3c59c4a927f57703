using System.Diagnostics;
using HdrHistogram;

namespace Grid.Cli.Bench;

/// <summary>
/// Latencies of one loop in an HdrHistogram (nanoseconds, 3 significant digits) plus its error
/// count. Not thread-safe: each loop owns one, and the row merges them with <see cref="Add"/>.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>
    /// 60 s: far above any fabric timeout (TCP gives up after 5 s), so nothing real is clamped,
    /// while the histogram stays a few hundred KiB.
    /// </summary>
    private const long HighestTrackableNanoseconds = 60_000_000_000;

    private const int SignificantDigits = 3;

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly LongHistogram _histogram = new(HighestTrackableNanoseconds, SignificantDigits);

    public long Count => _histogram.TotalCount;

    public long Errors { get; private set; }

    /// <summary>Records a completed op that took this many Stopwatch ticks.</summary>
    public void Record(long elapsedTicks)
    {
        var nanoseconds = (long)(elapsedTicks * NanosecondsPerTick);
        _histogram.RecordValue(Math.Clamp(nanoseconds, 0, HighestTrackableNanoseconds));
    }

    public void RecordError() => Errors++;

    public void Add(LatencyRecorder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _histogram.Add(other._histogram);
        Errors += other.Errors;
    }

    /// <summary>The latency at a percentile (0-100) in µs; 0 if no op completed.</summary>
    public double PercentileMicroseconds(double percentile) =>
        Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1_000.0;

    /// <summary>The row's result; <paramref name="elapsed"/> is its measured wall time.</summary>
    public BenchResult ToResult(
        string system, string op, int outstanding, TimeSpan elapsed) => new()
    {
        System = system,
        Op = op,
        Outstanding = outstanding,
        Count = Count,
        // Nanosecond resolution is all the histogram holds; more digits would be noise.
        P50Microseconds = Math.Round(PercentileMicroseconds(50), 3),
        P99Microseconds = Math.Round(PercentileMicroseconds(99), 3),
        OpsPerSecond = elapsed > TimeSpan.Zero ? Math.Round(Count / elapsed.TotalSeconds, 1) : 0,
        Errors = Errors,
    };
}
