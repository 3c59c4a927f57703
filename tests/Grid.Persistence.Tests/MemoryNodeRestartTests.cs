using System.Net;
using Grid.Persistence.MemoryNodes;
using Grid.Persistence.Swarm;
using Grid.RdmaTransport.Tcp;
using Grid.Replication.Swarm;
using Orleans.Runtime;

namespace Grid.Persistence.Tests;

/// <summary>
/// A rolling restart under SWARM grain storage: three real <c>grid-memnode --data</c> processes,
/// each SIGKILLed and started again on its data file and port, one after the other, twice. The
/// silo is never restarted; it reconnects to each node and must keep every acknowledged write.
/// Before reconnects the second kill left one connected node and every write failing.
/// </summary>
[Collection(MemoryNodeProcessesCollection.Name)]
public sealed class MemoryNodeRestartTests : IAsyncDisposable
{
    private const string StateName = "state";
    private const int Grains = 12;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _home = Directory.CreateTempSubdirectory("grid-rolling-restart-").FullName;
    private readonly List<MemoryNodeProcess> _nodes = [];
    private readonly SwarmKvOptions _layout = new()
    {
        MaxWriters = 4,
        BucketCount = 256,
        EntriesPerWriter = 4,
        InPlaceValueBytes = 64,
        KeyBytesMax = 256,
        MaxValueBytes = 16 * 1024,
        ArenaBytesPerWriter = 4L << 20,
    };

    /// <summary>A cluster key file and three <c>grid-memnode --data</c> processes on it.</summary>
    private async Task<(string KeyFile, long RegionBytes)> StartNodesAsync()
    {
        var keyFile = Path.Combine(_home, "cluster.key");
        await File.WriteAllTextAsync(keyFile, ClusterKey.GenerateSecret(), TestContext.Current.CancellationToken);
        var regionBytes = SwarmKvStore.RegionBytesFor(_layout);
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(await StartNodeAsync(i, regionBytes, keyFile, listen: null));
        }

        return (keyFile, regionBytes);
    }

    /// <summary>One silo on the nodes, redialing them quickly.</summary>
    private Task<SwarmCluster> StartSiloAsync(string keyFile, Action<SwarmGrainStorageOptions> configure) =>
        SwarmCluster.StartAsync(silos: 1, o =>
        {
            o.MemoryNodes = _nodes.Select(n => n.Address.ToString()).ToList();
            o.ClusterKeyFile = keyFile;
            o.Layout = _layout;
            o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(50);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
            configure(o);
        });

    [Fact]
    public async Task Grain_state_survives_two_rolling_restarts_of_every_memory_node_without_a_silo_restart()
    {
        var (keyFile, regionBytes) = await StartNodesAsync();
        await using var swarm = await StartSiloAsync(keyFile, o => o.OperationTimeout = TimeSpan.FromSeconds(2));
        var storage = swarm.Storage(0);
        var grains = Enumerable.Range(0, Grains).Select(i => GrainId.Create("rolling", $"g{i}")).ToArray();
        var states = grains.Select(_ => new GrainState<TestState>(new TestState())).ToArray();
        var acknowledged = new int[Grains];
        var version = 0;

        async Task WriteAllAsync()
        {
            version++;
            for (var g = 0; g < Grains; g++)
            {
                states[g].State!.Number = version;
                states[g].State!.Text = $"{grains[g]} v{version}";
                await storage.WriteStateAsync(StateName, grains[g], states[g]);
                acknowledged[g] = version;
            }
        }

        await WriteAllAsync();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < _nodes.Count; i++)
            {
                var address = _nodes[i].Address;
                _nodes[i].Signal("KILL");
                await _nodes[i].WaitForExitAsync(TimeSpan.FromSeconds(20));

                // Two of three answer: every write is acknowledged while the node is down.
                await WriteAllAsync();
                await WaitForAsync(storage, i, "reconnecting");
                _nodes[i] = await StartNodeAsync(i, regionBytes, keyFile, address);
                await WaitUntilAllReachableAsync(storage);
                await WriteAllAsync();
            }
        }

        for (var g = 0; g < Grains; g++)
        {
            var read = new GrainState<TestState>();
            await storage.ReadStateAsync(StateName, grains[g], read);
            Assert.Equal(acknowledged[g], read.State!.Number);
            Assert.Equal($"{grains[g]} v{acknowledged[g]}", read.State.Text);
        }

        // Each node came back twice with the memory it had: re-admitted, never refused.
        Assert.All(storage.MemoryNodeHealth, node =>
        {
            Assert.True(node.Reachable, $"{node.Name}: {node.State}");
            Assert.Equal("connected", node.ConnectionState);
            Assert.Equal(2, node.Connection!.Reconnects);
        });
    }

    [Fact]
    public async Task A_node_started_again_without_its_data_is_refused_and_the_silo_goes_on_with_the_others()
    {
        var (keyFile, regionBytes) = await StartNodesAsync();
        // Refusal alone; MemoryNodeRebuildTests rebuild.
        await using var swarm = await StartSiloAsync(keyFile, o => o.RebuildEmptyMemoryNodes = false);
        var storage = swarm.Storage(0);
        var grain = GrainId.Create("rolling", "refused");
        var state = new GrainState<TestState>(new TestState { Text = "before" });
        await storage.WriteStateAsync(StateName, grain, state);
        var admitted = storage.MemoryNodeHealth[2].Connection!.Admitted!;

        // Node 2 is started again on a new, empty data file: same address, new incarnation.
        var address = _nodes[2].Address;
        _nodes[2].Signal("KILL");
        await _nodes[2].WaitForExitAsync(TimeSpan.FromSeconds(20));
        File.Move(Path.Combine(_home, "node2.data"), Path.Combine(_home, "node2.data.lost"));
        _nodes[2] = await StartNodeAsync(2, regionBytes, keyFile, address);
        state.State!.Text = "after";
        await storage.WriteStateAsync(StateName, grain, state);
        var node = await WaitForAsync(storage, 2, "needs-rebuild");

        Assert.False(node.Reachable);
        Assert.Equal(admitted, node.Connection!.Admitted);
        Assert.NotEqual(admitted, node.Connection.Seen);
        Assert.Contains($"it came back with memory incarnation {node.Connection.Seen!.IncarnationText}, not the admitted " +
            admitted.IncarnationText, node.Connection.Detail, StringComparison.Ordinal);
        var read = new GrainState<TestState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("after", read.State!.Text);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_home, recursive: true);
    }

    private async Task<MemoryNodeProcess> StartNodeAsync(int index, long regionBytes, string keyFile, IPEndPoint? listen) =>
        await MemoryNodeProcess.StartAsync(
            regionBytes, keyFile, nodeId: (uint)(1000 + index),
            extraArguments: ["--data", Path.Combine(_home, $"node{index}.data")],
            cancellationToken: TestContext.Current.CancellationToken,
            listen: listen);

    private static async Task<MemoryNodeHealth> WaitForAsync(SwarmGrainStorage storage, int index, string connection)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (storage.MemoryNodeHealth[index] is var node && node.ConnectionState != connection)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"memory node {node.Name} stayed {node.ConnectionState}, not {connection}: {node.Connection}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return storage.MemoryNodeHealth[index];
    }

    private static async Task WaitUntilAllReachableAsync(SwarmGrainStorage storage)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!storage.MemoryNodeHealth.All(n => n.Reachable))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    "the silo did not reconnect: " + string.Join("; ", storage.MemoryNodeHealth.Select(n => $"{n.Name} {n.State}")));
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
