using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Checker;

public class HistoryRecorderTests
{
    [Fact]
    public void Stamps_follow_the_order_of_calls_and_returns()
    {
        var recorder = new HistoryRecorder();
        var write = recorder.BeginWrite(1, "k", "v1");
        var read = recorder.BeginRead(2, "k");
        recorder.Complete(write);
        recorder.CompleteRead(read, "v1");
        var delete = recorder.BeginDelete(3, "k");
        recorder.Complete(delete);

        Assert.Equal(
            [
                new HistoryOperation(1, "k", OperationKind.Write, "v1", 1, 3),
                new HistoryOperation(2, "k", OperationKind.Read, "v1", 2, 4),
                new HistoryOperation(3, "k", OperationKind.Delete, null, 5, 6),
            ],
            recorder.Operations);
    }

    [Fact]
    public void Abandoned_writes_stay_pending_and_abandoned_reads_are_dropped()
    {
        var recorder = new HistoryRecorder();
        var write = recorder.BeginWrite(1, "k", "v1");
        var delete = recorder.BeginDelete(2, "k");
        var read = recorder.BeginRead(3, "k");
        recorder.Abandon(write);
        recorder.Abandon(delete);
        recorder.Abandon(read);

        Assert.Equal(
            [
                new HistoryOperation(1, "k", OperationKind.Write, "v1", 1,
                    HistoryOperation.NeverReturned),
                new HistoryOperation(2, "k", OperationKind.Delete, null, 2,
                    HistoryOperation.NeverReturned),
            ],
            recorder.Operations);
    }

    [Fact]
    public void Operations_still_in_flight_count_as_abandoned()
    {
        var recorder = new HistoryRecorder();
        recorder.BeginWrite(1, "k", "v1");
        recorder.BeginRead(2, "k");

        var operation = Assert.Single(recorder.Operations);
        Assert.Equal(OperationKind.Write, operation.Kind);
        Assert.True(operation.IsPending);
    }

    [Fact]
    public void Misuse_is_rejected()
    {
        var recorder = new HistoryRecorder();
        var write = recorder.BeginWrite(1, "k", "v1");
        var read = recorder.BeginRead(1, "k");

        Assert.Throws<InvalidOperationException>(() => recorder.CompleteRead(write, "v1"));
        Assert.Throws<InvalidOperationException>(() => recorder.Complete(read));
        recorder.Complete(write);
        Assert.Throws<InvalidOperationException>(() => recorder.Complete(write));
        Assert.Throws<InvalidOperationException>(() => recorder.Abandon(write));
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Complete(42));
    }

    [Fact]
    public async Task Recording_a_locked_register_from_many_threads_is_linearizable()
    {
        // A register behind a lock is linearizable, so any failure here is the recorder's: a
        // stamp taken on the wrong side of the operation, or a lost or torn entry.
        const int Threads = 8;
        const int OperationsPerThread = 200;
        var recorder = new HistoryRecorder();
        var gate = new Lock();
        string? value = null;

        var workers = Enumerable.Range(0, Threads).Select(client => Task.Run(() =>
        {
            for (var i = 0; i < OperationsPerThread; i++)
            {
                var key = i % 4 == 0 ? $"own{client}" : "shared";
                if (key == "shared" && i % 3 == 0)
                {
                    var id = recorder.BeginWrite(client, key, $"c{client}-{i}");
                    lock (gate)
                        value = $"c{client}-{i}";
                    recorder.Complete(id);
                }
                else if (key == "shared")
                {
                    var id = recorder.BeginRead(client, key);
                    string? seen;
                    lock (gate)
                        seen = value;
                    recorder.CompleteRead(id, seen);
                }
                else
                {
                    var id = recorder.BeginWrite(client, key, $"own{i}");
                    recorder.Complete(id);
                    id = recorder.BeginRead(client, key);
                    recorder.CompleteRead(id, $"own{i}");
                }
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(workers);

        var history = recorder.Operations;
        var result = LinearizabilityChecker.Check(history);

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.False(result.TimedOut);
        Assert.Equal(Threads * OperationsPerThread * 5 / 4, history.Count);
    }
}
