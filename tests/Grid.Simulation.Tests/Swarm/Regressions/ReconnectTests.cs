using Grid.RdmaTransport;
using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// SWARM clients over <see cref="ReconnectingQueuePair"/>s: a batch lost with a connection leaves
/// a gap on its node once the node is connected again (SWARM README, "Reconnects"). Within an
/// operation the client's pinned connections keep the gap out; across operations, an entry is
/// freed only once every node zeroed it.
/// </summary>
public sealed class ReconnectTests
{
    private const uint Writer = 1;
    private const uint Reader = 2;
    private const ulong X = 0x71;
    private const ulong Y = 0x72;

    // One bucket with one entry per writer: a new key can only reuse the deleted key's entry.
    private static SwarmOptions Options => new()
    {
        MaxWriters = 3,
        BucketCount = 1,
        EntriesPerWriter = 1,
        InPlaceValueBytes = 8,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 64 * 1024,
        BufferGracePeriod = TimeSpan.FromSeconds(8),
        BatchLifetime = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_sweep_frees_no_entry_while_a_node_reconnects_and_zeroes_it_everywhere_after()
    {
        using var cluster = new RegressionCluster(Options);
        var nodes = cluster.ConnectReconnecting(Writer);
        var writer = await SafeGuessClient.StartAsync(1, nodes, cluster.Layout, cluster.Clock, cluster.Time);
        await writer.WriteAsync(X, Value("x", 64));
        await writer.WriteAsync(X, Value("x deleted", 64), deletion: true);
        var tombstone = cluster.EntrySlot(2, 0, 1, 0);

        // Node 2 is down when the grace period has passed: the sweep frees nothing, since a node
        // that kept X's entry would show its old key hash beside a new key's.
        cluster.Time.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        cluster.Fabric.Faults.Crash(MemoryNodes[2]);
        Assert.Equal(0, await writer.ReleaseDeletedAsync());
        Assert.Equal(X, cluster.EntryKey(0, 0, 1, 0));
        Assert.Equal(X, cluster.EntryKey(2, 0, 1, 0));
        await Assert.ThrowsAsync<SwarmCapacityException>(() => writer.WriteAsync(Y, Value("y", 64)));

        // Node 2 comes back with its memory, and the writer's connection to it is used again.
        cluster.Fabric.Faults.Restart(MemoryNodes[2], keepMemory: true);
        cluster.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReconnectState.Connected, nodes[2].Status.State);

        // The next sweep zeroes the entry on every node; it then waits one more grace period.
        Assert.Equal(1, await writer.ReleaseDeletedAsync());
        for (var node = 0; node < 3; node++)
        {
            Assert.Equal(0UL, cluster.EntryKey(node, 0, 1, 0));
            Assert.Equal(0UL, cluster.EntrySlot(node, 0, 1, 0));
        }

        await Assert.ThrowsAsync<SwarmCapacityException>(() => writer.WriteAsync(Y, Value("y", 64)));
        cluster.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        await writer.WriteAsync(Y, Value("y", 64));

        for (var node = 0; node < 3; node++)
        {
            Assert.Equal(Y, cluster.EntryKey(node, 0, 1, 0));
            Assert.NotEqual(tombstone, cluster.EntrySlot(node, 0, 1, 0));
        }

        Assert.Equal(cluster.EntrySlot(0, 0, 1, 0), cluster.EntrySlot(2, 0, 1, 0));
    }

    [Fact]
    public async Task An_operation_does_not_move_to_a_connection_opened_after_one_of_its_batches_was_lost()
    {
        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, Writer);
        // Too large for the in-place record: a read takes a second roundtrip for the buffer.
        await writer.WriteAsync(X, Value("a value read from its buffer", 200));
        var nodes = cluster.ConnectReconnecting(Reader);
        var reader = await SafeGuessClient.StartAsync(2, nodes, cluster.Layout, cluster.Clock, cluster.Time);

        // Node 2 restarts: the reader's batch to it fails, and the pair redials at once, but
        // waits (draining) until that batch's deadline + 2 S has passed.
        cluster.Fabric.Faults.Restart(MemoryNodes[2], keepMemory: true);
        await reader.ReadAsync(X);
        cluster.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(ReconnectState.Draining, nodes[2].Status.State);

        // A read starts now: node 0 answers its snapshot, node 1 is held, node 2 is not in use yet.
        cluster.Hold(Reader, 1);
        var read = reader.ReadAsync(X);
        Assert.False(read.IsCompleted);

        // Node 2 is in use again before the read goes on to its second roundtrip.
        cluster.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(ReconnectState.Connected, nodes[2].Status.State);
        var before = nodes[2].Statistics.Roundtrips;
        cluster.Release(Reader, 1);

        Assert.Equal("a value read from its buffer", Text((await read).Value));
        Assert.True((await read).Roundtrips >= 2);
        Assert.Equal(before, nodes[2].Statistics.Roundtrips);

        // The next operation uses node 2 again.
        await reader.ReadAsync(X);
        Assert.True(nodes[2].Statistics.Roundtrips > before);
    }

    [Fact]
    public async Task A_node_the_recovery_could_not_read_is_not_used_when_it_reconnects()
    {
        using var cluster = new RegressionCluster(Options);
        var first = await cluster.StartAsync(1, Writer);
        await first.WriteAsync(X, Value("x", 64));

        // Writer id 1 starts again. Node 2 restarts (with its memory) while the recovery waits
        // for it: the recovery reads nodes 0 and 1 only.
        var nodes = cluster.ConnectReconnecting(Reader);
        cluster.Hold(Reader, 2);
        var starting = SafeGuessClient.StartAsync(1, nodes, cluster.Layout, cluster.Clock, cluster.Time);
        cluster.Fabric.Faults.Restart(MemoryNodes[2], keepMemory: true);
        Assert.All(cluster.Release(Reader, 2), batch => Assert.Equal(TransportError.ConnectionClosed, batch.Error));
        var writer = await starting;
        Assert.Equal([2], writer.MissedNodes);

        // The pair reconnects to the same memory, but a word the id's previous holder left there
        // only would be unknown to this client: it goes on with nodes 0 and 1.
        cluster.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ReconnectState.Connected, nodes[2].Status.State);
        var before = nodes[2].Statistics.Roundtrips;
        await writer.WriteAsync(X, Value("x again", 64));
        Assert.Equal("x again", Text((await writer.ReadAsync(X)).Value));
        Assert.Equal(before, nodes[2].Statistics.Roundtrips);

        // A new client under the id reads node 2 and uses it.
        var again = await SafeGuessClient.StartAsync(1, nodes, cluster.Layout, cluster.Clock, cluster.Time);
        Assert.Empty(again.MissedNodes);
        Assert.Equal("x again", Text((await again.ReadAsync(X)).Value));
        Assert.True(nodes[2].Statistics.Roundtrips > before);
    }
}
