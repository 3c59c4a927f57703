using System.Buffers.Binary;
using Grid.RdmaTransport.InProc;

namespace Grid.RdmaTransport.Tests.InProc;

/// <summary>
/// Identities and restarts on the in-process fabric: a restart kills the node's connections, and
/// it keeps or loses the memory, which the incarnation a new connection sees tells apart.
/// </summary>
public sealed class RestartTests : IDisposable
{
    private static readonly NodeId Memory = new(1000);
    private static readonly NodeId Client = new(1);
    private readonly InProcFabric _fabric = new(new InProcFabricOptions { ClusterId = "test-cluster" });

    public RestartTests() => _fabric.AddEndpoint(Memory, receiveQueueCapacity: 4).RegisterRegion(4096);

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public void Every_endpoint_has_its_own_incarnation_in_the_fabrics_cluster()
    {
        var other = _fabric.AddEndpoint(new NodeId(1001));

        var first = _fabric.Connect(Client, Memory).RemoteIdentity;
        var second = _fabric.Connect(Client, other.Id).RemoteIdentity;

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal("test-cluster", first.ClusterId);
        Assert.Equal("test-cluster", second.ClusterId);
        Assert.NotEqual(0UL, first.Incarnation);
        Assert.NotEqual(first.Incarnation, second.Incarnation);
        Assert.Equal(_fabric.GetEndpoint(Memory).Identity, first);
    }

    [Fact]
    public async Task A_restart_that_keeps_memory_keeps_the_bytes_and_the_incarnation()
    {
        var before = _fabric.Connect(Client, Memory);
        await before.WriteAsync(0, 0, Word(42));

        _fabric.Faults.Restart(Memory, keepMemory: true);
        var after = _fabric.Connect(Client, Memory);
        var seen = new byte[8];
        await after.ReadAsync(0, 0, seen);

        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        Assert.Equal(before.RemoteIdentity, after.RemoteIdentity);
        Assert.Equal(42UL, await after.FetchAndAddAsync(0, 0, 1));
        Assert.Equal(43UL, await after.CompareAndSwapAsync(0, 0, 43, 50));
        Assert.Equal(50UL, _fabric.GetEndpoint(Memory).Regions[0].ReadWord(0));
    }

    [Fact]
    public async Task A_restart_that_loses_memory_comes_back_zeroed_under_a_new_incarnation()
    {
        var before = _fabric.Connect(Client, Memory);
        await before.WriteAsync(0, 0, Word(42));
        var region = _fabric.GetEndpoint(Memory).Regions[0];

        _fabric.Faults.Restart(Memory, keepMemory: false);
        var after = _fabric.Connect(Client, Memory);
        var seen = new byte[8];
        await after.ReadAsync(0, 0, seen);

        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        Assert.Equal(0UL, region.ReadWord(0));
        Assert.NotNull(after.RemoteIdentity);
        Assert.Equal(before.RemoteIdentity!.ClusterId, after.RemoteIdentity.ClusterId);
        Assert.NotEqual(before.RemoteIdentity.Incarnation, after.RemoteIdentity.Incarnation);
        Assert.Equal(_fabric.GetEndpoint(Memory).Identity, after.RemoteIdentity);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connections_opened_before_a_restart_are_closed_by_it(bool keepMemory)
    {
        var before = _fabric.Connect(Client, Memory);
        await before.WriteAsync(0, 0, Word(1));

        _fabric.Faults.Restart(Memory, keepMemory);
        var error = await Assert.ThrowsAsync<TransportException>(() => before.WriteAsync(0, 0, Word(2)).AsTask());

        Assert.Equal(TransportError.ConnectionClosed, error.Error);
        Assert.Contains("restarted", error.Message, StringComparison.Ordinal);
        Assert.Equal(QueuePairState.Closed, before.State);
        Assert.Equal(keepMemory ? 1UL : 0UL, _fabric.GetEndpoint(Memory).Regions[0].ReadWord(0));
    }

    [Fact]
    public async Task A_restart_brings_a_crashed_node_back()
    {
        _fabric.Faults.Crash(Memory);
        Assert.IsType<UnreachableQueuePair>(_fabric.Connect(Client, Memory));

        _fabric.Faults.Restart(Memory, keepMemory: true);
        var after = _fabric.Connect(Client, Memory);
        await after.WriteAsync(0, 8, Word(7));

        Assert.False(_fabric.Faults.IsCrashed(Memory));
        Assert.Equal(7UL, _fabric.GetEndpoint(Memory).Regions[0].ReadWord(8));
    }

    [Fact]
    public async Task Messages_queued_at_a_node_are_lost_with_its_process()
    {
        await _fabric.Connect(Client, Memory).SendAsync(new byte[] { 1, 2, 3 });

        _fabric.Faults.Restart(Memory, keepMemory: true);

        Assert.False(_fabric.GetEndpoint(Memory).TryReceive(out _));
    }

    [Fact]
    public void Restarting_a_node_without_an_endpoint_says_so()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => _fabric.Faults.Restart(new NodeId(4242), keepMemory: false));

        Assert.Contains("node-4242", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fabric_with_an_invalid_cluster_id_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new InProcFabric(new InProcFabricOptions { ClusterId = "not valid" }));

        Assert.Contains("cluster id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_posted_before_a_wiping_restart_never_reaches_the_new_memory()
    {
        var scheduler = new DeterministicScheduler(seed: 1);
        using var fabric = new InProcFabric(new InProcFabricOptions { Scheduler = scheduler });
        fabric.AddEndpoint(Memory).RegisterRegion(4096);
        var queuePair = fabric.Connect(Client, Memory);
        var batch = new VerbBatch { CompletionHandler = new IgnoreCompletion() };
        batch.Write(0, 0, Word(9));
        batch.FetchAndAdd(0, 8, 1);
        queuePair.Post(batch);

        // The request is in flight, not executed: the node restarts empty before it lands.
        fabric.Faults.Restart(Memory, keepMemory: false);
        scheduler.RunUntilIdle();

        Assert.Equal(TransportError.ConnectionClosed, batch.Error);
        Assert.Equal(0UL, fabric.GetEndpoint(Memory).Regions[0].ReadWord(0));
        Assert.Equal(0UL, fabric.GetEndpoint(Memory).Regions[0].ReadWord(8));
    }

    private static byte[] Word(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    private sealed class IgnoreCompletion : IBatchCompletionHandler
    {
        public void OnBatchCompleted(VerbBatch batch)
        {
        }
    }
}
