using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;
using Grid.Testing.Linearizability;
using Grid.Testing.Processes;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// SWARM-KV against three real grid-memnode processes over TCP: concurrent writers, one memory
/// node killed (SIGKILL) mid-run. No operation may fail, the history must be linearizable, and
/// every acknowledged write must be read back.
/// </summary>
public sealed class SwarmOverTcpTests
{
    private static readonly SwarmKvOptions Options = new()
    {
        MaxWriters = 4,
        BucketCount = 64,
        EntriesPerWriter = 16,
        InPlaceValueBytes = 64,
        KeyBytesMax = 32,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 4L << 20,
    };

    [Fact]
    public async Task Killing_one_of_three_memory_node_processes_mid_run_fails_no_op_and_loses_no_write()
    {
        var regionBytes = SwarmKvStore.RegionBytesFor(Options);
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => TestMemoryNode.StartAsync(regionBytes)));
        try
        {
            var clients = await Task.WhenAll(Enumerable.Range(1, 3).Select(w => ConnectAsync(nodes, w)));
            var recorder = new HistoryRecorder();
            var completed = 0;
            var failures = new List<string>();
            var killed = false;
            var workers = clients.Select((client, c) => Task.Run(async () =>
            {
                var random = new Random(c);
                for (var i = 0; i < 150; i++)
                {
                    var key = $"k{random.Next(16)}";
                    if (Interlocked.Increment(ref completed) == 150 && !killed)
                    {
                        killed = true;
                        nodes[1].Signal("KILL");
                    }

                    try
                    {
                        if (random.Next(2) == 0)
                        {
                            var value = $"c{c}-{i}";
                            var id = recorder.BeginWrite(c, key, value);
                            await client.PutAsync(key, value);
                            recorder.Complete(id);
                        }
                        else
                        {
                            var id = recorder.BeginRead(c, key);
                            var read = await client.GetAsync(key);
                            recorder.CompleteRead(id, read.Value is null ? null : Encoding.UTF8.GetString(read.Value));
                        }
                    }
                    catch (Exception ex)
                    {
                        lock (failures)
                        {
                            failures.Add($"client {c}: {ex.GetType().Name}: {ex.Message}");
                        }
                    }
                }
            })).ToArray();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

            // A client started after the crash reads every key back.
            var reader = await ConnectAsync(nodes, 4);
            for (var k = 0; k < 16; k++)
            {
                var id = recorder.BeginRead(99, $"k{k}");
                var read = await reader.GetAsync($"k{k}");
                recorder.CompleteRead(id, read.Value is null ? null : Encoding.UTF8.GetString(read.Value));
            }

            Assert.True(killed);
            Assert.Empty(failures);
            var check = LinearizabilityChecker.Check(recorder.Operations);
            Assert.True(check.IsLinearizable, check.Explanation);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task<SwarmKvStore> ConnectAsync(TestMemoryNode[] nodes, int writer)
    {
        var pairs = new QueuePair[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            try
            {
                pairs[i] = await nodes[i].ConnectAsync(new NodeId((uint)writer));
            }
            catch (TransportException ex)
            {
                pairs[i] = new UnreachableQueuePair(new NodeId((uint)writer), new NodeId(1000), ex.Message);
            }
        }

        return await SwarmKvStore.StartAsync(writer, pairs, Options);
    }
}
