using Grid.Persistence.Swarm;
using Orleans.Runtime;

namespace Grid.Persistence.Tests;

/// <summary>
/// Memory nodes that come back empty are rebuilt online (SWARM README, "Rebuilding a node that came
/// back empty"): each in turn restarts without its memory while the silo writes, the silo repairs
/// the other two and counts the empty node again, with no silo restart. A grain written once before
/// all this (a cold grain) lives through three empty restarts only if each repair copied it to the
/// survivor that lacked it.
/// </summary>
[Collection(MemoryNodeProcessesCollection.Name)]
public sealed class MemoryNodeRebuildTests
{
    private const string StateName = "state";

    [Fact]
    public async Task Every_memory_node_restarted_empty_in_turn_is_rebuilt_and_no_grain_is_lost()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1, o =>
        {
            o.SweepInterval = TimeSpan.FromMilliseconds(100);
            o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(50);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        });
        var storage = swarm.Storage(0);
        var cold = Enumerable.Range(0, 20).Select(i => GrainId.Create("rebuild", $"cold{i}")).ToArray();
        var hot = Enumerable.Range(0, 5).Select(i => GrainId.Create("rebuild", $"hot{i}")).ToArray();
        var hotStates = hot.Select(_ => new GrainState<TestState>(new TestState())).ToArray();
        foreach (var grain in cold)
        {
            await storage.WriteStateAsync(StateName, grain, new GrainState<TestState>(new TestState { Text = $"{grain} cold" }));
        }

        var version = 0;
        async Task WriteHotAsync()
        {
            version++;
            for (var g = 0; g < hot.Length; g++)
            {
                hotStates[g].State!.Number = version;
                await storage.WriteStateAsync(StateName, hot[g], hotStates[g]);
            }
        }

        await WriteHotAsync();
        foreach (var node in new[] { 2, 0, 1 })
        {
            var before = storage.MemoryNodeHealth[node].Connection!.Admitted!.Incarnation;
            swarm.MemoryNodes.Restart(node, keepMemory: false);
            await WriteHotAsync(); // on the other two while the node is refused and rebuilt
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!(storage.MemoryNodeHealth.All(n => n.Reachable && n.Rebuild is null)
                       && storage.MemoryNodeHealth[node].Connection!.Admitted!.Incarnation != before)
                   && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            Assert.All(storage.MemoryNodeHealth, n => Assert.Equal("connected", n.ConnectionState));
            Assert.NotEqual(before, storage.MemoryNodeHealth[node].Connection!.Admitted!.Incarnation);
            await WriteHotAsync();
        }

        // Every grain is on at least two nodes: any one of them may crash now.
        swarm.MemoryNodes.Crash(1);
        await swarm.Cluster.StartAdditionalSiloAsync();
        foreach (var reader in new[] { storage, swarm.Storage(1) })
        {
            foreach (var grain in cold)
            {
                var read = new GrainState<TestState>();
                await reader.ReadStateAsync(StateName, grain, read);
                Assert.Equal($"{grain} cold", read.State?.Text);
            }

            for (var g = 0; g < hot.Length; g++)
            {
                var read = new GrainState<TestState>();
                await reader.ReadStateAsync(StateName, hot[g], read);
                Assert.Equal(version, read.State!.Number);
            }
        }
    }
}
