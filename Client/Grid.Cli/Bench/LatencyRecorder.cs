using System.Diagnostics;
using HdrHistogram;

namespace Grid.Cli.Bench;

/// <summary>
/// Latencies of one loop in an HdrHistogram (nanoseconds, 3 significant digits) plus its error
/// count and, for loops that count them, the roundtrips of its ops. Not thread-safe: each loop
/// owns one, and the row merges them with <see cref="Add"/>.
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

    /// <summary>Completed ops whose roundtrips were counted (a loop reports 0 when it does not).</summary>
    public long CountedOps { get; private set; }

    public long Roundtrips { get; private set; }

    public long OneRoundtripOps { get; private set; }

    /// <summary>
    /// Records a completed op that took this many Stopwatch ticks and, when known (above 0),
    /// this many roundtrips on its critical path.
    /// </summary>
    public void Record(long elapsedTicks, int roundtrips = 0)
    {
        var nanoseconds = (long)(elapsedTicks * NanosecondsPerTick);
        _histogram.RecordValue(Math.Clamp(nanoseconds, 0, HighestTrackableNanoseconds));
        if (roundtrips > 0)
        {
            CountedOps++;
            Roundtrips += roundtrips;
            if (roundtrips == 1)
            {
                OneRoundtripOps++;
            }
        }
    }

    public void RecordError() => Errors++;

    public void Add(LatencyRecorder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _histogram.Add(other._histogram);
        Errors += other.Errors;
        CountedOps += other.CountedOps;
        Roundtrips += other.Roundtrips;
        OneRoundtripOps += other.OneRoundtripOps;
    }

    /// <summary>The latency at a percentile (0-100) in µs; 0 if no op completed.</summary>
    public double PercentileMicroseconds(double percentile) =>
        Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1_000.0;

    /// <summary>
    /// The row's result; <paramref name="elapsed"/> is its measured wall time. When roundtrips
    /// were counted it carries <c>mean_rtt</c> (per completed op) and <c>one_rtt_fraction</c>
    /// (completed ops that took exactly one roundtrip).
    /// </summary>
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
        Extra = CountedOps == 0
            ? null
            : new Dictionary<string, object>
            {
                ["mean_rtt"] = Math.Round((double)Roundtrips / CountedOps, 3),
                ["one_rtt_fraction"] = Math.Round((double)OneRoundtripOps / CountedOps, 4),
            },
    };
}
