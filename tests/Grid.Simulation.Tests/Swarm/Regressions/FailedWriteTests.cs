using Grid.RdmaTransport;
using Grid.Replication.Common;
using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (5e1095f, "settle failed writes"): a write that failed after its first batch left
/// its buffer live for good (its word may sit in the slot on some node, so the buffer could not
/// simply be retired), and a long-running client ran its arena dry. Now the key's next write
/// settles it: kept when a reader pinned it, withdrawn otherwise, and its buffer is retired.
/// </summary>
public sealed class FailedWriteTests
{
    private const uint Writer = 1;
    private const uint Reader = 2;
    private const ulong K1 = 0x11;
    private const ulong K2 = 0x12;
    private const ulong K3 = 0x13;

    private static SwarmOptions Options => new()
    {
        MaxWriters = 2,
        BucketCount = 4,
        EntriesPerWriter = 2,
        InPlaceValueBytes = 8,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 64 * 1024,
        BufferGracePeriod = TimeSpan.FromSeconds(10),
        BatchLifetime = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task Writes_that_fail_half_way_leak_no_buffer_once_their_keys_are_written_again()
    {
        using var cluster = new RegressionCluster(Options);
        var pairs = cluster.Connect(Writer);
        var writer = await SafeGuessClient.StartAsync(1, pairs, cluster.Layout, cluster.Clock, cluster.Time);
        var reader = await cluster.StartAsync(2, Reader);
        foreach (var key in (ulong[])[K1, K2, K3])
        {
            await writer.WriteAsync(key, Value($"{key:x} v1", 64));
        }

        var baseline = LiveBuffers(writer);
        Assert.Equal(3, baseline);

        // A quorum is briefly lost: nodes 1 and 2 refuse the writer's WRITEs, so its first batch
        // lands (buffer, entry, guess) on node 0 only and the write fails.
        await FailHalfWayAsync(cluster, pairs, writer, K1, "k1 v2", nodes: [1, 2]);
        await writer.WriteAsync(K1, Value("k1 v3", 64));
        Assert.Equal(baseline, LiveBuffers(writer));
        Assert.Equal("k1 v3", Text((await reader.ReadAsync(K1)).Value));

        // The same, but a reader finds the failed guess on node 0 and pins it (it may return it):
        // the next write keeps it before writing over it.
        await FailHalfWayAsync(cluster, pairs, writer, K2, "k2 v2", nodes: [1, 2]);
        Assert.Equal("k2 v2", Text((await reader.ReadAsync(K2)).Value));
        await writer.WriteAsync(K2, Value("k2 v3", 64));
        Assert.Equal(baseline, LiveBuffers(writer));
        Assert.Equal("k2 v3", Text((await reader.ReadAsync(K2)).Value));

        // A memory node crashes while node 1 refuses: the write fails; the next one runs on the two left.
        cluster.Fabric.Faults.Crash(MemoryNodes[2]);
        await FailHalfWayAsync(cluster, pairs, writer, K3, "k3 v2", nodes: [1]);
        await writer.WriteAsync(K3, Value("k3 v3", 64));
        Assert.Equal(baseline, LiveBuffers(writer));
        Assert.Equal("k3 v3", Text((await reader.ReadAsync(K3)).Value));

        Assert.Equal(1, writer.Counters.SettledKept);
        Assert.Equal(2, writer.Counters.SettledWithdrawn);
        Assert.Equal("k1 v3", Text((await reader.ReadAsync(K1)).Value));
        Assert.Equal("k2 v3", Text((await reader.ReadAsync(K2)).Value));
    }

    /// <summary>
    /// The given nodes refuse the writer's WRITEs (its READs still run), so the write's first
    /// batch stops half way there; then the rights come back and the writer's queue pairs to
    /// those nodes leave the error state, as after a brief outage.
    /// </summary>
    private static async Task FailHalfWayAsync(
        RegressionCluster cluster, QueuePair[] pairs, SafeGuessClient writer, ulong key, string value, int[] nodes)
    {
        foreach (var node in nodes)
        {
            Region(cluster, node).SetRights(new NodeId(Writer), AccessRights.RemoteRead);
        }

        await Assert.ThrowsAsync<QuorumUnavailableException>(() => writer.WriteAsync(key, Value(value, 64)));
        foreach (var node in nodes)
        {
            Region(cluster, node).ClearRights(new NodeId(Writer));
            await pairs[node].ResetAsync();
        }
    }

    private static MemoryRegion Region(RegressionCluster cluster, int node)
    {
        Assert.True(cluster.Fabric.GetEndpoint(MemoryNodes[node]).TryGetRegion(0, out var region));
        return region;
    }

    private static int LiveBuffers(SafeGuessClient client) => client.LiveBuffers;
}
