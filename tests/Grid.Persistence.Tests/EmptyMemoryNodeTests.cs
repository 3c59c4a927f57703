using Grid.Persistence.MemoryNodes;
using Grid.Persistence.Swarm;
using Grid.RdmaTransport;
using Grid.Replication.Swarm;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace Grid.Persistence.Tests;

/// <summary>
/// Embedded memory nodes that restart without their memory (a new incarnation): neither the silo
/// that was running nor one that starts afterwards counts them, so a second empty restart stops
/// writes instead of losing them.
/// </summary>
[Collection(MemoryNodeProcessesCollection.Name)]
public sealed class EmptyMemoryNodeTests
{
    private const string StateName = "state";

    [Fact]
    public async Task Memory_nodes_that_come_back_empty_are_counted_by_no_silo_old_or_new()
    {
        // Refusal alone: no silo rebuilds the nodes here (MemoryNodeRebuildTests do).
        await using var swarm = await SwarmCluster.StartAsync(silos: 1, o => o.RebuildEmptyMemoryNodes = false);
        var storage = swarm.Storage(0);
        var grains = Enumerable.Range(0, 10).Select(i => GrainId.Create("empty", $"g{i}")).ToArray();
        var states = grains.Select(_ => new GrainState<TestState>(new TestState { Text = "v1" })).ToArray();
        for (var g = 0; g < grains.Length; g++)
        {
            await storage.WriteStateAsync(StateName, grains[g], states[g]);
        }

        // Node 2 restarts empty: the running silo keeps writing on nodes 0 and 1.
        swarm.MemoryNodes.Restart(2, keepMemory: false);
        for (var g = 0; g < grains.Length; g++)
        {
            states[g].State!.Text = "v2";
            await storage.WriteStateAsync(StateName, grains[g], states[g]);
        }

        // The running silo redialed node 2 and refuses it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (storage.MemoryNodeHealth[2].ConnectionState != "needs-rebuild" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal("needs-rebuild", storage.MemoryNodeHealth[2].ConnectionState);
        Assert.Equal(["connected", "connected"], storage.MemoryNodeHealth.Take(2).Select(n => n.ConnectionState));

        // A client that starts now finds node 2's memory is not the memory the record names.
        await using (var fresh = new ConnectedPairs(await ConnectAsync(swarm)))
        {
            Assert.Equal(ReconnectState.Connected, fresh.Pairs[0].Status.State);
            Assert.Equal(ReconnectState.Connected, fresh.Pairs[1].Status.State);
            var refused = fresh.Pairs[2].Status;
            Assert.Equal(ReconnectState.NeedsRebuild, refused.State);
            Assert.Contains("is not the one the cluster's membership record names", refused.Detail, StringComparison.Ordinal);
            Assert.Equal(QueuePairState.Closed, fresh.Pairs[2].State);
        }

        // A silo that starts now serves every grain from nodes 0 and 1.
        await swarm.Cluster.StartAdditionalSiloAsync();
        var late = swarm.Storage(1);
        for (var g = 0; g < grains.Length; g++)
        {
            var read = new GrainState<TestState>();
            await late.ReadStateAsync(StateName, grains[g], read);
            Assert.Equal("v2", read.State!.Text);
        }

        Assert.False(late.MemoryNodeHealth[2].Reachable);
        Assert.Equal("needs-rebuild", late.MemoryNodeHealth[2].ConnectionState);

        // Node 1 restarts empty too: only node 0 holds the data. Writes stop instead of counting
        // two empty nodes, and a new client refuses to start (DESIGN.md: f+1 lost memories are
        // beyond what 2f+1 nodes survive; nothing is counted that could hide it).
        swarm.MemoryNodes.Restart(1, keepMemory: false);
        states[0].State!.Text = "v3";
        await Assert.ThrowsAsync<SwarmStorageException>(() => storage.WriteStateAsync(StateName, grains[0], states[0]));
        var ex = await Assert.ThrowsAsync<MemoryNodeUnavailableException>(() => ConnectAsync(swarm));
        // Node 0's own slot now holds its incarnation on node 0 alone: no majority vouches for it either.
        Assert.Contains("admitted 0 of 3 memory nodes, a majority needs 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("embedded:1000: needs rebuild: no majority of the membership record names a memory for it", ex.Message, StringComparison.Ordinal);
        Assert.Contains("embedded:1001: needs rebuild", ex.Message, StringComparison.Ordinal);
        Assert.Contains("embedded:1002: needs rebuild", ex.Message, StringComparison.Ordinal);
    }

    private static Task<IReadOnlyList<ReconnectingQueuePair>> ConnectAsync(SwarmCluster swarm)
    {
        var layout = new SwarmLayout(SwarmGrainStorageOptions.DefaultLayout().ToSwarmOptions());
        return swarm.MemoryNodes.ConnectAsync(new NodeId(4343),
            new MemoryNodeConnectOptions(layout.RegionBytes, (ulong)layout.MembershipOffset, new ReconnectOptions(), NullLogger.Instance),
            TestContext.Current.CancellationToken);
    }

    private sealed class ConnectedPairs(IReadOnlyList<ReconnectingQueuePair> pairs) : IAsyncDisposable
    {
        public IReadOnlyList<ReconnectingQueuePair> Pairs { get; } = pairs;

        public async ValueTask DisposeAsync()
        {
            foreach (var pair in Pairs)
            {
                await pair.DisposeAsync();
            }
        }
    }
}
