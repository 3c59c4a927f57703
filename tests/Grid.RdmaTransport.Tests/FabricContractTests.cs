using System.Buffers.Binary;
using Grid.RdmaTransport.Tests.Support;

namespace Grid.RdmaTransport.Tests;

/// <summary>
/// The transport contract of DESIGN.md, run against every fabric: atomics, order, rights, error
/// state, two-sided messages and roundtrip counting. Each fabric's subclass supplies the target.
/// </summary>
public abstract class FabricContractTests : IAsyncLifetime
{
    protected static readonly NodeId Client = new(1);
    protected IFabricTarget Target { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Target = CreateTarget();
        Target.Endpoint.RegisterRegion(1 << 20);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => Target.DisposeAsync();

    [Fact]
    public async Task Cas_increments_from_many_threads_lose_no_update()
    {
        const int Threads = 8;
        const int IncrementsPerThread = 300;
        var swaps = new int[Threads];
        var workers = Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
        {
            var queuePair = await Target.ConnectAsync(new NodeId((uint)(10 + t)));
            var guess = 0UL;
            while (swaps[t] < IncrementsPerThread)
            {
                var old = await queuePair.CompareAndSwapAsync(0, 64, guess, guess + 1);
                if (old == guess)
                {
                    swaps[t]++;
                    guess++;
                }
                else
                {
                    guess = old;
                }
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal((ulong)(Threads * IncrementsPerThread), Region0.ReadWord(64));
    }

    [Fact]
    public async Task Faa_from_many_threads_sums_exactly_and_hands_out_distinct_old_values()
    {
        const int Threads = 8;
        const int AddsPerThread = 400;
        var olds = new List<ulong>[Threads];
        var workers = Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
        {
            var queuePair = await Target.ConnectAsync(new NodeId((uint)(10 + t)));
            olds[t] = [];
            for (var i = 0; i < AddsPerThread; i++)
            {
                olds[t].Add(await queuePair.FetchAndAddAsync(0, 128, 3));
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal(3UL * Threads * AddsPerThread, Region0.ReadWord(128));
        var all = olds.SelectMany(o => o).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task Ops_of_a_batch_execute_in_order_and_cost_one_roundtrip()
    {
        var queuePair = await Target.ConnectAsync(Client);
        var first = Word(0x1111);
        var before = new byte[8];
        var after = new byte[8];
        var batch = new VerbBatch();
        batch.Write(0, 256, first);
        batch.Read(0, 256, before);
        var cas = batch.CompareAndSwap(0, 256, 0x1111, 0x2222);
        batch.Read(0, 256, after);

        await queuePair.PostAsync(batch);

        Assert.Equal(0x1111UL, BinaryPrimitives.ReadUInt64LittleEndian(before));
        Assert.True(batch.Swapped(cas));
        Assert.Equal(0x2222UL, BinaryPrimitives.ReadUInt64LittleEndian(after));
        Assert.Equal(1, queuePair.Statistics.Roundtrips);
        Assert.Equal(4, queuePair.Statistics.Ops);
    }

    [Fact]
    public async Task Pipelined_batches_on_one_queue_pair_execute_in_post_order()
    {
        var queuePair = await Target.ConnectAsync(Client);
        const int Batches = 200;
        var reads = new byte[Batches][];
        var posted = new List<Task>();
        for (var i = 0; i < Batches; i++)
        {
            var batch = new VerbBatch();
            reads[i] = new byte[8];
            // Each batch reads what the previous one wrote, then writes its own number.
            batch.Read(0, 512, reads[i]);
            batch.Write(0, 512, Word((ulong)i + 1));
            posted.Add(queuePair.PostAsync(batch).AsTask());
        }

        foreach (var completion in posted)
        {
            await completion;
        }

        for (var i = 0; i < Batches; i++)
        {
            Assert.Equal((ulong)i, BinaryPrimitives.ReadUInt64LittleEndian(reads[i]));
        }
    }

    [Fact]
    public async Task A_failed_op_stops_its_batch_and_flushes_later_ones_until_reset()
    {
        var queuePair = await Target.ConnectAsync(Client);
        var batch = new VerbBatch();
        batch.Write(0, 0, Word(7));
        batch.Write(0, 1 << 20, Word(8));
        batch.Write(0, 16, Word(9));

        var error = await Assert.ThrowsAsync<TransportException>(() => queuePair.PostAsync(batch).AsTask());

        Assert.Equal(TransportError.OutOfRange, error.Error);
        Assert.Equal(1, error.OpIndex);
        Assert.Contains("outside region 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(7UL, Region0.ReadWord(0));
        Assert.Equal(0UL, Region0.ReadWord(16));
        Assert.Equal(QueuePairState.Error, queuePair.State);

        var flushed = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.WriteAsync(0, 24, Word(5)).AsTask());
        Assert.Equal(TransportError.QueuePairInError, flushed.Error);
        Assert.Equal(0UL, Region0.ReadWord(24));

        await queuePair.ResetAsync();
        await queuePair.WriteAsync(0, 24, Word(5));
        Assert.Equal(5UL, Region0.ReadWord(24));
        Assert.Equal(QueuePairState.Ready, queuePair.State);
    }

    [Theory]
    [InlineData(VerbKind.CompareAndSwap, 0UL, 12UL, TransportError.Unaligned)]
    [InlineData(VerbKind.FetchAndAdd, 0UL, 1UL, TransportError.Unaligned)]
    [InlineData(VerbKind.FetchAndAdd, 0UL, (1UL << 20) - 4, TransportError.OutOfRange)]
    [InlineData(VerbKind.Read, 0UL, ulong.MaxValue - 2, TransportError.OutOfRange)]
    [InlineData(VerbKind.Write, 0UL, (1UL << 20) - 7, TransportError.OutOfRange)]
    [InlineData(VerbKind.Read, 9UL, 0UL, TransportError.UnknownRegion)]
    public async Task Bad_addresses_are_refused_with_a_clear_error(
        VerbKind kind, ulong region, ulong offset, TransportError expected)
    {
        var queuePair = await Target.ConnectAsync(Client);
        var batch = new VerbBatch();
        var buffer = new byte[8];
        _ = kind switch
        {
            VerbKind.CompareAndSwap => batch.CompareAndSwap((uint)region, offset, 0, 1),
            VerbKind.FetchAndAdd => batch.FetchAndAdd((uint)region, offset, 1),
            VerbKind.Read => batch.Read((uint)region, offset, buffer),
            _ => batch.Write((uint)region, offset, buffer),
        };

        var error = await Assert.ThrowsAsync<TransportException>(() => queuePair.PostAsync(batch).AsTask());

        Assert.Equal(expected, error.Error);
        Assert.Equal(0, error.OpIndex);
        Assert.Contains(kind.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rights_are_enforced_per_peer_and_switchable_at_run_time()
    {
        var region = Target.Endpoint.RegisterRegion(4096, AccessRights.None);
        var queuePair = await Target.ConnectAsync(Client);

        var denied = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.WriteAsync(region.Id, 0, Word(1)).AsTask());
        Assert.Equal(TransportError.AccessDenied, denied.Error);
        Assert.Contains("lacks the right", denied.Message, StringComparison.Ordinal);

        region.SetRights(Client, AccessRights.RemoteWrite);
        await queuePair.ResetAsync();
        await queuePair.WriteAsync(region.Id, 0, Word(1));
        Assert.Equal(1UL, region.ReadWord(0));

        // Write alone does not allow reading or atomics.
        var noRead = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.ReadAsync(region.Id, 0, new byte[8]).AsTask());
        Assert.Equal(TransportError.AccessDenied, noRead.Error);
        await queuePair.ResetAsync();
        var noAtomic = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.FetchAndAddAsync(region.Id, 0, 1).AsTask());
        Assert.Equal(TransportError.AccessDenied, noAtomic.Error);

        // Revoking applies to the next op (Mu's permission switch).
        region.SetRights(Client, AccessRights.None);
        await queuePair.ResetAsync();
        var revoked = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.WriteAsync(region.Id, 0, Word(2)).AsTask());
        Assert.Equal(TransportError.AccessDenied, revoked.Error);
        Assert.Equal(1UL, region.ReadWord(0));
    }

    [Fact]
    public async Task An_owned_region_is_written_by_its_owner_and_only_read_by_others()
    {
        var owner = new NodeId(7);
        var region = Target.Endpoint.RegisterOwnedRegion(4096, owner);
        var ownerPair = await Target.ConnectAsync(owner);
        var otherPair = await Target.ConnectAsync(new NodeId(8));

        await ownerPair.WriteAsync(region.Id, 8, Word(42));
        await ownerPair.CompareAndSwapAsync(region.Id, 16, 0, 5);
        var seen = new byte[8];
        await otherPair.ReadAsync(region.Id, 8, seen);
        var error = await Assert.ThrowsAsync<TransportException>(
            () => otherPair.WriteAsync(region.Id, 8, Word(666)).AsTask());

        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        Assert.Equal(TransportError.AccessDenied, error.Error);
        Assert.Equal(42UL, region.ReadWord(8));
        Assert.Equal(5UL, region.ReadWord(16));
    }

    [Fact]
    public async Task Sends_arrive_in_order_tagged_with_the_sender()
    {
        var queuePair = await Target.ConnectAsync(Client);
        for (var i = 0; i < 5; i++)
        {
            await queuePair.SendAsync(new byte[] { (byte)i, 1, 2 });
        }

        for (var i = 0; i < 5; i++)
        {
            var message = await Target.Endpoint.ReceiveAsync(TestContext.Current.CancellationToken);
            Assert.Equal(Client, message.From);
            Assert.Equal(new byte[] { (byte)i, 1, 2 }, message.Payload);
        }
    }

    [Fact]
    public async Task A_full_receive_queue_refuses_the_send()
    {
        var queuePair = await Target.ConnectAsync(Client);
        for (var i = 0; i < 16; i++)
        {
            await queuePair.SendAsync(new byte[] { 1 });
        }

        var error = await Assert.ThrowsAsync<TransportException>(
            () => queuePair.SendAsync(new byte[] { 2 }).AsTask());

        Assert.Equal(TransportError.ReceiverNotReady, error.Error);
    }

    [Fact]
    public async Task Statistics_count_roundtrips_ops_and_bytes()
    {
        var queuePair = await Target.ConnectAsync(Client);
        var batch = new VerbBatch();
        batch.Write(0, 0, new byte[100]);
        batch.Read(0, 0, new byte[40]);
        await queuePair.PostAsync(batch);
        batch.Clear();
        batch.FetchAndAdd(0, 0, 1);
        await queuePair.PostAsync(batch);

        Assert.Equal(2, queuePair.Statistics.Roundtrips);
        Assert.Equal(3, queuePair.Statistics.Ops);
        Assert.Equal(100, queuePair.Statistics.BytesOut);
        Assert.Equal(40, queuePair.Statistics.BytesIn);
        Assert.Equal(0, queuePair.Statistics.Errors);
    }

    [Fact]
    public async Task A_batch_cannot_be_posted_twice_while_in_flight_or_empty()
    {
        var queuePair = await Target.ConnectAsync(Client);
        Assert.Throws<InvalidOperationException>(() => queuePair.Post(new VerbBatch()));
        var batch = new VerbBatch();
        batch.Read(0, 0, new byte[8]);
        await queuePair.PostAsync(batch);
        await queuePair.PostAsync(batch);
        Assert.Equal(2, queuePair.Statistics.Roundtrips);
    }

    [Fact]
    public async Task A_batch_within_its_deadline_executes()
    {
        var queuePair = await Target.ConnectAsync(Client);
        var batch = new VerbBatch();
        batch.Write(0, 40, Word(9));
        batch.NotAfter = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        await queuePair.PostAsync(batch);
        Assert.Equal(9UL, Region0.ReadWord(40));
    }

    [Fact]
    public async Task A_batch_past_its_deadline_is_refused_unexecuted_and_closes_the_connection()
    {
        var queuePair = await Target.ConnectAsync(Client);
        var late = new VerbBatch();
        late.Write(0, 48, Word(5));
        late.NotAfter = DateTimeOffset.UtcNow - BatchDeadline.Default.ClockSkewAllowance - TimeSpan.FromSeconds(1);
        var error = await Assert.ThrowsAsync<TransportException>(async () => await queuePair.PostAsync(late));
        Assert.Equal(TransportError.Expired, error.Error);
        Assert.Contains("after its deadline", error.Message);
        Assert.Equal(0UL, Region0.ReadWord(48));
        Assert.Equal(QueuePairState.Closed, queuePair.State);
    }

    [Fact]
    public async Task A_batch_whose_deadline_lies_beyond_the_longest_lifetime_is_refused()
    {
        var queuePair = await Target.ConnectAsync(Client);
        var early = new VerbBatch();
        early.Write(0, 56, Word(6));
        early.NotAfter = DateTimeOffset.UtcNow + BatchDeadline.Default.MaxLifetime + TimeSpan.FromMinutes(1);
        var error = await Assert.ThrowsAsync<TransportException>(async () => await queuePair.PostAsync(early));
        Assert.Equal(TransportError.Expired, error.Error);
        Assert.Contains("clock is ahead", error.Message);
        Assert.Equal(0UL, Region0.ReadWord(56));
    }

    [Fact]
    public async Task A_connection_carries_the_targets_identity()
    {
        var first = await Target.ConnectAsync(Client);
        var second = await Target.ConnectAsync(new NodeId(2));

        Assert.NotNull(first.RemoteIdentity);
        Assert.Equal(Target.Endpoint.Identity, first.RemoteIdentity);
        Assert.Equal(first.RemoteIdentity, second.RemoteIdentity);
        Assert.NotEqual(0UL, first.RemoteIdentity.Incarnation);
    }

    protected abstract IFabricTarget CreateTarget();

    protected MemoryRegion Region0 => Target.Endpoint.Regions[0];

    protected static byte[] Word(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }
}

public sealed class InProcContractTests : FabricContractTests
{
    protected override IFabricTarget CreateTarget() => new InProcTarget();
}

public sealed class InProcWithLatencyContractTests : FabricContractTests
{
    protected override IFabricTarget CreateTarget() =>
        new InProcTarget(new Grid.RdmaTransport.InProc.InProcFabricOptions { OneWayLatency = TimeSpan.FromMicroseconds(20) });
}

public sealed class TcpContractTests : FabricContractTests
{
    protected override IFabricTarget CreateTarget() => new TcpTarget();
}
