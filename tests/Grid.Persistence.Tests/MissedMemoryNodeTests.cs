using Grid.Persistence.Swarm;
using Orleans.Runtime;

namespace Grid.Persistence.Tests;

/// <summary>
/// A silo whose SWARM writer started while a memory node was down never posts to that node (its
/// recovery did not read it: SWARM README, "Reconnects"); once the node is back, the provider
/// starts a new writer under the same lease that reads it, with no silo restart.
/// </summary>
[Collection(MemoryNodeProcessesCollection.Name)]
public sealed class MissedMemoryNodeTests
{
    private const string StateName = "state";

    [Fact]
    public async Task A_silo_that_started_without_a_node_recovers_it_when_it_comes_back()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1, o =>
        {
            o.SweepInterval = TimeSpan.FromMilliseconds(100);
            o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(50);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        });
        var grain = GrainId.Create("missed", "g");
        var state = new GrainState<TestState>(new TestState { Text = "v1" });
        await swarm.Storage(0).WriteStateAsync(StateName, grain, state);

        // Node 2 is down while a second silo starts: its writer recovers from nodes 0 and 1.
        swarm.MemoryNodes.Crash(2);
        await swarm.Cluster.StartAdditionalSiloAsync();
        var late = swarm.Storage(1);
        var writerId = late.WriterId;
        Assert.False(late.MemoryNodeHealth[2].Reachable);
        state.State!.Text = "v2";
        await swarm.Storage(0).WriteStateAsync(StateName, grain, state);

        // Node 2 comes back with its memory. The late silo's pair reconnects, and its sweep loop
        // restarts the writer (same id, new incarnation) so that its recovery reads node 2.
        swarm.MemoryNodes.Restart(2, keepMemory: true);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!late.MemoryNodeHealth.All(n => n.Reachable) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.All(late.MemoryNodeHealth, n => Assert.Equal("connected", n.ConnectionState));
        Assert.Equal(writerId, late.WriterId);

        var read = new GrainState<TestState>();
        await late.ReadStateAsync(StateName, grain, read);
        Assert.Equal("v2", read.State!.Text);
        var other = GrainId.Create("missed", "other");
        await late.WriteStateAsync(StateName, other, new GrainState<TestState>(new TestState { Text = "o1" }));
        var back = new GrainState<TestState>();
        await swarm.Storage(0).ReadStateAsync(StateName, other, back);
        Assert.Equal("o1", back.State!.Text);
    }
}
