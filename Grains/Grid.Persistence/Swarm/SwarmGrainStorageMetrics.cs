using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Grid.Persistence.Swarm;

/// <summary>The <c>Grid.Persistence</c> meter: storage operations, their latency, conflicts.</summary>
internal sealed class SwarmGrainStorageMetrics
{
    public const string MeterName = "Grid.Persistence";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "grid.storage.duration", "us", "Latency of grain storage operations");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "grid.storage.failures", description: "Grain storage operations that threw (conflicts excluded)");
    private static readonly Counter<long> Conflicts = Meter.CreateCounter<long>(
        "grid.storage.conflicts", description: "ETag mismatches and writes that met another activation");

    /// <summary>The providers of this process whose timestamp refresh age the gauge reports.</summary>
    private static readonly ConcurrentDictionary<SwarmGrainStorageMetrics, Func<TimeSpan?>> RefreshAges = new();

    private static readonly ObservableGauge<double> RefreshAge = Meter.CreateObservableGauge(
        "grid.storage.timestamp_refresh_age", ObserveRefreshAges, "s",
        "Time since the last SWARM timestamp refresh over every memory node began; writes fail past the deadline");

    private readonly KeyValuePair<string, object?> _provider;

    public SwarmGrainStorageMetrics(string name) => _provider = new("provider", name);

    public void Completed(string operation, long startTimestamp) =>
        Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds, _provider, new("operation", operation));

    public void Failed(string operation) => Failures.Add(1, _provider, new("operation", operation));

    public void Conflict(string operation) => Conflicts.Add(1, _provider, new("operation", operation));

    /// <summary>Reports <paramref name="age"/> on the gauge until <see cref="StopTrackingRefreshAge"/>.</summary>
    public void TrackRefreshAge(Func<TimeSpan?> age) => RefreshAges[this] = age;

    public void StopTrackingRefreshAge() => RefreshAges.TryRemove(this, out _);

    private static IEnumerable<Measurement<double>> ObserveRefreshAges()
    {
        foreach (var (metrics, age) in RefreshAges)
        {
            if (age() is { } since)
            {
                yield return new Measurement<double>(since.TotalSeconds, metrics._provider);
            }
        }
    }
}
