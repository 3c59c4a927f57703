using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Grid.RdmaTransport;

/// <summary>
/// The transport's instruments (meter <c>Grid.RdmaTransport</c>), tagged by fabric and by the
/// pair of nodes, so dashboards and benchmarks see ops, roundtrips, bytes, errors and roundtrip
/// latency per connection.
/// </summary>
public static class TransportMetrics
{
    public const string MeterName = "Grid.RdmaTransport";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Ops =
        Meter.CreateCounter<long>("grid.transport.ops", "{op}", "Verbs completed");

    private static readonly Counter<long> Roundtrips =
        Meter.CreateCounter<long>("grid.transport.roundtrips", "{roundtrip}", "Batches completed");

    private static readonly Counter<long> Bytes =
        Meter.CreateCounter<long>("grid.transport.bytes", "By", "Payload bytes moved");

    private static readonly Counter<long> Errors =
        Meter.CreateCounter<long>("grid.transport.errors", "{batch}", "Batches failed");

    private static readonly Histogram<double> RoundtripDuration = Meter.CreateHistogram<double>(
        "grid.transport.roundtrip.duration", "us", "Post-to-completion time of a batch");

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "grid.transport.reconnects", "{event}",
        "Reconnecting queue pairs: connections lost, dial attempts, nodes re-admitted and refused (tag event)");

    /// <summary>
    /// One event of a <see cref="ReconnectingQueuePair"/>: <c>lost</c>, <c>attempt</c>,
    /// <c>readmitted</c> or <c>refused</c> (a new incarnation or another cluster).
    /// </summary>
    internal static void RecordReconnect(string what, QueuePair queuePair)
    {
        if (!Reconnects.Enabled)
        {
            return;
        }

        Reconnects.Add(1, new TagList
        {
            { "event", what },
            { "local", queuePair.LocalNode.Value },
            { "remote", queuePair.RemoteNode.Value },
        });
    }

    internal static void Record(
        string fabric, QueuePair queuePair, int ops, long bytes, bool failed, long postedTimestamp)
    {
        if (!Ops.Enabled && !Roundtrips.Enabled && !Bytes.Enabled && !Errors.Enabled
            && !RoundtripDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "fabric", fabric },
            { "local", queuePair.LocalNode.Value },
            { "remote", queuePair.RemoteNode.Value },
        };
        Ops.Add(ops, tags);
        Roundtrips.Add(1, tags);
        Bytes.Add(bytes, tags);
        if (failed)
        {
            Errors.Add(1, tags);
        }

        var elapsed = Stopwatch.GetElapsedTime(postedTimestamp);
        RoundtripDuration.Record(elapsed.TotalMicroseconds, tags);
    }
}
