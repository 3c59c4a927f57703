using System.Diagnostics;

namespace Grid.Cli.Bench;

/// <summary>
/// Completed ops of one loop per window of the measured phase, to show throughput around a
/// fault. Not thread-safe: each loop owns one; <see cref="Merge"/> sums them.
/// </summary>
internal sealed class ThroughputTimeline
{
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private static readonly long WindowTicks = (long)(Window.TotalSeconds * Stopwatch.Frequency);

    private readonly List<long> _counts = [];

    /// <summary>Counts an op completed at <paramref name="timestamp"/>; ignored before <paramref name="origin"/>.</summary>
    public void Record(long origin, long timestamp)
    {
        if (origin == 0 || timestamp < origin)
        {
            return;
        }

        var window = (int)((timestamp - origin) / WindowTicks);
        while (_counts.Count <= window)
        {
            _counts.Add(0);
        }

        _counts[window]++;
    }

    /// <summary>
    /// Ops per second in each window, all loops together, over a phase that lasted
    /// <paramref name="duration"/>: the last window, cut short by the end of the phase, is
    /// divided by the time it actually covered.
    /// </summary>
    public static IReadOnlyList<BenchTimelinePoint> Merge(
        IEnumerable<ThroughputTimeline> timelines, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(timelines);
        var sums = new List<long>();
        foreach (var timeline in timelines)
        {
            for (var window = 0; window < timeline._counts.Count; window++)
            {
                while (sums.Count <= window)
                {
                    sums.Add(0);
                }

                sums[window] += timeline._counts[window];
            }
        }

        return [.. sums.Select((count, window) =>
        {
            var covered = Math.Min(Window.TotalSeconds, duration.TotalSeconds - window * Window.TotalSeconds);
            // A sliver of a window (the phase ended just past a boundary) says nothing: leave it out.
            return covered < Window.TotalSeconds / 10
                ? null
                : new BenchTimelinePoint(window * Window.TotalMilliseconds, Math.Round(count / covered, 1));
        }).OfType<BenchTimelinePoint>()];
    }
}
