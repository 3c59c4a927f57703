using Grid.RdmaTransport.Tests.Support;

namespace Grid.RdmaTransport.Tests.Tcp;

public sealed class LargeFrameTests
{
    private const int Big = 4 << 20;

    [Fact]
    public async Task Large_batches_posted_from_a_completion_do_not_stall_the_connection()
    {
        // The old, blocking send stalled for good; the generous timeout only keeps ~200 MiB of
        // pipelined traffic on a busy 2-core machine from counting as a dead peer.
        await using var target = new TcpTarget(new Grid.RdmaTransport.Tcp.TcpTransportOptions
        {
            OperationTimeout = TimeSpan.FromSeconds(20),
        });
        target.Endpoint.RegisterRegion(2L * Big);
        var queuePair = await target.ConnectAsync(new NodeId(1));
        var done = new TaskCompletionSource();
        var remaining = 48;
        var handler = new Handler(batch =>
        {
            if (batch.Error != TransportError.None)
            {
                done.TrySetException(new TransportException(batch.Error, batch.ErrorMessage ?? ""));
            }
            else if (Interlocked.Decrement(ref remaining) == 0)
            {
                done.TrySetResult();
            }
        });

        // Completions run on the connection's receive loop; posting megabytes from there must
        // neither block that loop (the replies it must drain are megabytes too) nor deadlock.
        var first = new VerbBatch { CompletionHandler = new Handler(_ =>
        {
            for (var i = 0; i < 24; i++)
            {
                var write = new VerbBatch { CompletionHandler = handler };
                write.Write(0, 0, new byte[Big]);
                queuePair.Post(write);
                var read = new VerbBatch { CompletionHandler = handler };
                read.Read(0, Big, new byte[Big]);
                queuePair.Post(read);
            }
        }) };
        first.Read(0, 0, new byte[8]);
        queuePair.Post(first);

        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(QueuePairState.Ready, queuePair.State);
    }

    private sealed class Handler(Action<VerbBatch> onCompleted) : IBatchCompletionHandler
    {
        public void OnBatchCompleted(VerbBatch batch) => onCompleted(batch);
    }
}
