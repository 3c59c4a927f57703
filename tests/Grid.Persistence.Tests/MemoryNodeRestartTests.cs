using System.Net;
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

    [Fact]
    public async Task Grain_state_survives_two_rolling_restarts_of_every_memory_node_without_a_silo_restart()
    {
        var keyFile = Path.Combine(_home, "cluster.key");
        await File.WriteAllTextAsync(keyFile, ClusterKey.GenerateSecret(), TestContext.Current.CancellationToken);
        var regionBytes = SwarmKvStore.RegionBytesFor(_layout);
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(await StartNodeAsync(i, regionBytes, keyFile, listen: null));
        }

        await using var swarm = await SwarmCluster.StartAsync(silos: 1, o =>
        {
            o.MemoryNodes = _nodes.Select(n => n.Address.ToString()).ToList();
            o.ClusterKeyFile = keyFile;
            o.Layout = _layout;
            o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(50);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
            o.OperationTimeout = TimeSpan.FromSeconds(2);
        });
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
        Assert.All(storage.MemoryNodeHealth, node => Assert.True(node.Reachable, $"{node.Name}: {node.State}"));
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
