using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// Buffers and index entries come back after their grace period (spec §3.5), so a long run
/// stays within a fixed arena; and they do not come back before it.
/// </summary>
public sealed class SwarmReclamationTests
{
    private static readonly NodeId[] MemoryNodes = [new(1000), new(1001), new(1002)];

    private static SwarmKvOptions Options => new()
    {
        MaxWriters = 2,
        BucketCount = 8,
        EntriesPerWriter = 4,
        InPlaceValueBytes = 32,
        KeyBytesMax = 16,
        MaxValueBytes = 64,
        // 256 buffers of 128 bytes: far fewer than the writes below.
        ArenaBytesPerWriter = 32 * 1024,
        BufferGracePeriod = TimeSpan.FromMilliseconds(100),
        BatchLifetime = TimeSpan.FromMilliseconds(15),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public async Task A_long_run_reuses_retired_buffers_once_their_grace_period_passed()
    {
        var time = new ManualTimeProvider();
        var (fabric, store) = await StartAsync(time);
        using (fabric)
        {
            for (var i = 0; i < 5_000; i++)
            {
                await store.PutAsync($"key{i % 10}", $"value {i}");
                time.Advance(TimeSpan.FromMilliseconds(1));
            }

            for (var k = 0; k < 10; k++)
            {
                Assert.Equal($"value {4_990 + k}", Text((await store.GetAsync($"key{k}")).Value));
            }
        }
    }

    [Fact]
    public async Task Without_time_passing_nothing_is_reused_and_the_arena_fills_up()
    {
        var (fabric, store) = await StartAsync(new ManualTimeProvider());
        using (fabric)
        {
            var full = await Assert.ThrowsAsync<SwarmCapacityException>(async () =>
            {
                for (var i = 0; i < 5_000; i++)
                {
                    await store.PutAsync($"key{i % 10}", $"value {i}");
                }
            });

            Assert.Contains("grace period", full.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_deleted_key_frees_its_entry_after_the_grace_period_unless_another_writer_holds_one()
    {
        // One bucket with two entries per writer: the freed entry is the only room for a third key.
        var options = Options;
        options.BucketCount = 1;
        options.EntriesPerWriter = 2;
        var time = new ManualTimeProvider();
        var (fabric, store) = await StartAsync(time, options);
        using (fabric)
        {
            var other = await SwarmKvStore.StartAsync(2, Connect(fabric, 2), options, time: time);
            await store.PutAsync("mine", "1");
            await store.PutAsync("shared", "1");
            await other.PutAsync("shared", "2");
            await store.DeleteAsync("mine");
            await store.DeleteAsync("shared");
            await Assert.ThrowsAsync<SwarmCapacityException>(() => store.PutAsync("third", "3"));

            Assert.Equal(0, await store.SweepAsync());
            time.Advance(TimeSpan.FromMilliseconds(150));
            var released = await store.SweepAsync();

            // A released entry is quarantined for one more grace period: a reader that saw the
            // deleted key may still be writing its hash back (see Swarm README, "Time bounds").
            await Assert.ThrowsAsync<SwarmCapacityException>(() => store.PutAsync("third", "3"));
            time.Advance(TimeSpan.FromMilliseconds(150));
            await store.PutAsync("third", "3");

            // "mine" is freed; "shared" keeps its tombstone, or writer 2's older value would return.
            Assert.Equal(1, released);
            Assert.Null((await other.GetAsync("mine")).Value);
            Assert.Null((await other.GetAsync("shared")).Value);
            Assert.Equal("3", Text((await other.GetAsync("third")).Value));
        }
    }

    private static async Task<(InProcFabric Fabric, SwarmKvStore Store)> StartAsync(
        ManualTimeProvider time, SwarmKvOptions? options = null)
    {
        options ??= Options;
        var fabric = new InProcFabric(new InProcFabricOptions { TimeProvider = time });
        foreach (var node in MemoryNodes)
        {
            fabric.AddEndpoint(node).RegisterRegion(SwarmKvStore.RegionBytesFor(options));
        }

        var store = await SwarmKvStore.StartAsync(1, Connect(fabric, 1), options, time: time);
        return (fabric, store);
    }

    private static QueuePair[] Connect(InProcFabric fabric, int writer) =>
        MemoryNodes.Select(m => fabric.Connect(new NodeId((uint)writer), m)).ToArray();

    private static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);
}
