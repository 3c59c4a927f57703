using System.Buffers.Binary;
using Grid.RdmaTransport.InProc;
using Grid.RdmaTransport.Tests.Support;

namespace Grid.RdmaTransport.Tests.InProc;

public sealed class FaultInjectionTests
{
    private static readonly NodeId Client = new(1);
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_crashed_target_fails_ops_within_the_timeout_and_closes_the_queue_pair()
    {
        await using var target = new InProcTarget(new InProcFabricOptions { OperationTimeout = ShortTimeout });
        target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        await queuePair.WriteAsync(0, 0, new byte[8]);

        target.Fabric.Faults.Crash(InProcTarget.TargetNode);
        var error = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.ReadAsync(0, 0, new byte[8]).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(TransportError.PeerUnreachable, error.Error);
        Assert.Contains("crashed", error.Message, StringComparison.Ordinal);
        Assert.Equal(QueuePairState.Closed, queuePair.State);
        var late = target.Fabric.Connect(Client, InProcTarget.TargetNode);
        var refused = await Assert.ThrowsAsync<TransportException>(() => late.ReadAsync(0, 0, new byte[8]).AsTask());
        Assert.Equal(TransportError.PeerUnreachable, refused.Error);
    }

    [Fact]
    public async Task A_crashed_initiator_can_post_nothing()
    {
        await using var target = new InProcTarget();
        target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        target.Fabric.Faults.Crash(Client);

        var error = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.WriteAsync(0, 0, new byte[8]).AsTask());

        Assert.Equal(TransportError.ConnectionClosed, error.Error);
        Assert.Equal(0UL, target.Endpoint.Regions[0].ReadWord(0));
    }

    [Fact]
    public async Task A_dropped_request_never_executes_and_times_out()
    {
        await using var target = new InProcTarget(new InProcFabricOptions { OperationTimeout = ShortTimeout });
        var region = target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        target.Fabric.Faults.DropLink(Client, InProcTarget.TargetNode);

        var error = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.WriteAsync(0, 0, Word(5)).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(TransportError.Timeout, error.Error);
        Assert.Equal(0UL, region.ReadWord(0));
        Assert.Equal(QueuePairState.Closed, queuePair.State);
    }

    [Fact]
    public async Task A_dropped_response_hides_an_executed_write()
    {
        await using var target = new InProcTarget(new InProcFabricOptions { OperationTimeout = ShortTimeout });
        var region = target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        target.Fabric.Faults.DropLink(InProcTarget.TargetNode, Client);

        var error = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.WriteAsync(0, 0, Word(5)).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(TransportError.Timeout, error.Error);
        Assert.Equal(5UL, region.ReadWord(0));
    }

    [Fact]
    public async Task A_partition_cuts_both_ways_and_heal_lets_new_connections_through()
    {
        await using var target = new InProcTarget(new InProcFabricOptions { OperationTimeout = ShortTimeout });
        target.Endpoint.RegisterRegion(4096);
        var other = new NodeId(2);
        var inside = await target.ConnectAsync(Client);
        var outside = await target.ConnectAsync(other);
        target.Fabric.Faults.Partition([Client], [InProcTarget.TargetNode]);

        var cut = await Assert.ThrowsAsync<TransportException>(
            () => inside.WriteAsync(0, 0, Word(1)).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await outside.WriteAsync(0, 8, Word(2));

        target.Fabric.Faults.Heal();
        var fresh = await target.ConnectAsync(Client);
        await fresh.WriteAsync(0, 0, Word(3));

        Assert.Equal(TransportError.Timeout, cut.Error);
        Assert.Equal(3UL, target.Endpoint.Regions[0].ReadWord(0));
        Assert.Equal(2UL, target.Endpoint.Regions[0].ReadWord(8));
    }

    [Fact]
    public async Task Delays_and_slow_nodes_keep_per_queue_pair_order()
    {
        await using var target = new InProcTarget();
        target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        var pending = new List<Task>();
        var reads = new byte[60][];
        for (var i = 0; i < reads.Length; i++)
        {
            // Change the fault settings while batches are in flight: order must hold regardless.
            if (i == 20)
            {
                target.Fabric.Faults.DelayLink(Client, InProcTarget.TargetNode, TimeSpan.FromMilliseconds(2));
            }
            else if (i == 40)
            {
                target.Fabric.Faults.Heal();
                target.Fabric.Faults.SlowNode(InProcTarget.TargetNode, TimeSpan.FromMicroseconds(300));
            }

            var batch = new VerbBatch();
            reads[i] = new byte[8];
            batch.Read(0, 0, reads[i]);
            batch.Write(0, 0, Word((ulong)i + 1));
            pending.Add(queuePair.PostAsync(batch).AsTask());
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        for (var i = 0; i < reads.Length; i++)
        {
            Assert.Equal((ulong)i, BinaryPrimitives.ReadUInt64LittleEndian(reads[i]));
        }
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new InProcFabric(new InProcFabricOptions { OperationTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new InProcFabric(new InProcFabricOptions { TornWriteChunkBytes = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new InProcFabric(new InProcFabricOptions { OneWayLatency = TimeSpan.FromTicks(-1) }));
    }

    [Fact]
    public async Task A_held_link_keeps_requests_back_until_released_then_runs_them_in_post_order()
    {
        await using var target = new InProcTarget();
        var region = target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        target.Fabric.Faults.HoldLink(Client, InProcTarget.TargetNode);

        var first = queuePair.WriteAsync(0, 0, Word(1)).AsTask();
        var second = queuePair.CompareAndSwapAsync(0, 0, 1, 2).AsTask();
        var other = await target.ConnectAsync(new NodeId(2));
        await other.WriteAsync(0, 8, Word(9)); // other links are not held

        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(0UL, region.ReadWord(0));

        var released = target.Fabric.Faults.ReleaseLink(Client, InProcTarget.TargetNode);

        Assert.Equal(2, released.Count);
        await first;
        Assert.Equal(1UL, await second); // the CAS ran after the WRITE it was posted after
        Assert.Equal(2UL, region.ReadWord(0));
        Assert.Equal(9UL, region.ReadWord(8));
        await queuePair.WriteAsync(0, 16, Word(3)); // released: later posts run at once
        Assert.Empty(target.Fabric.Faults.ReleaseLink(Client, InProcTarget.TargetNode));
    }

    [Fact]
    public async Task A_held_batch_released_after_its_deadline_is_refused_as_expired_and_does_not_land()
    {
        var clock = new SettableClock();
        await using var target = new InProcTarget(new InProcFabricOptions { TimeProvider = clock });
        var region = target.Endpoint.RegisterRegion(4096);
        var queuePair = await target.ConnectAsync(Client);
        target.Fabric.Faults.HoldLink(Client, InProcTarget.TargetNode);
        var batch = new VerbBatch();
        batch.Write(0, 0, Word(7));
        batch.NotAfter = clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        var posted = queuePair.PostAsync(batch).AsTask();

        clock.Now += TimeSpan.FromSeconds(1) + BatchDeadline.Default.ClockSkewAllowance + TimeSpan.FromMilliseconds(1);
        var released = target.Fabric.Faults.ReleaseLink(Client, InProcTarget.TargetNode);

        var error = await Assert.ThrowsAsync<TransportException>(() => posted);
        Assert.Equal(TransportError.Expired, error.Error);
        Assert.Same(batch, Assert.Single(released));
        Assert.Equal(TransportError.Expired, batch.Error);
        Assert.Equal(0UL, region.ReadWord(0));
    }

    /// <summary>A wall clock the test sets; the fabric judges deadlines by it.</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static byte[] Word(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }
}
