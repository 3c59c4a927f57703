using System.Diagnostics.Metrics;
using Grid.RdmaTransport.Tests.Support;

namespace Grid.RdmaTransport.Tests;

public sealed class TransportMetricsTests
{
    [Fact]
    public async Task Batches_are_published_as_metrics_tagged_by_connection()
    {
        await using var target = new InProcTarget();
        target.Endpoint.RegisterRegion(4096);
        var local = new NodeId(4242);
        var queuePair = await target.ConnectAsync(local);
        var measurements = new List<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TransportMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                // Only this test's connection: other tests run in parallel.
                if (tag.Key == "local" && tag.Value is uint id && id == local.Value)
                {
                    lock (measurements)
                    {
                        measurements.Add((instrument.Name, value));
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var batch = new VerbBatch();
        batch.Write(0, 0, new byte[16]);
        batch.Read(0, 0, new byte[16]);
        await queuePair.PostAsync(batch);
        await Assert.ThrowsAsync<TransportException>(() => queuePair.ReadAsync(0, 8192, new byte[8]).AsTask());

        lock (measurements)
        {
            Assert.Equal(2, measurements.Count(m => m.Instrument == "grid.transport.roundtrips"));
            Assert.Equal(3, measurements.Where(m => m.Instrument == "grid.transport.ops").Sum(m => m.Value));
            Assert.Equal(32, measurements.Where(m => m.Instrument == "grid.transport.bytes").Sum(m => m.Value));
            Assert.Equal(1, measurements.Count(m => m.Instrument == "grid.transport.errors"));
            Assert.Equal(2, measurements.Count(m => m.Instrument == "grid.transport.roundtrip.duration"));
        }
    }
}
