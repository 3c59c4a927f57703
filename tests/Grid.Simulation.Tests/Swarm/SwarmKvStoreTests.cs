using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>SWARM-KV over the in-process fabric with three memory nodes.</summary>
public sealed class SwarmKvStoreTests : IDisposable
{
    private static readonly NodeId[] MemoryNodes = [new(1000), new(1001), new(1002)];
    private readonly InProcFabric _fabric = new();
    private readonly SwarmKvOptions _options = new()
    {
        MaxWriters = 4,
        BucketCount = 64,
        EntriesPerWriter = 16,
        InPlaceValueBytes = 64,
        KeyBytesMax = 32,
        MaxValueBytes = 1 << 20,
        ArenaBytesPerWriter = 16L << 20,
    };

    public SwarmKvStoreTests()
    {
        var bytes = SwarmKvStore.RegionBytesFor(_options);
        foreach (var node in MemoryNodes)
        {
            _fabric.AddEndpoint(node).RegisterRegion(bytes);
        }
    }

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public async Task Put_get_overwrite_and_delete()
    {
        var store = await StartAsync(1);

        Assert.Null((await store.GetAsync("missing")).Value);
        await store.PutAsync("k", "one");
        Assert.Equal("one", Text(await store.GetAsync("k")));
        await store.PutAsync("k", "two");
        Assert.Equal("two", Text(await store.GetAsync("k")));
        await store.DeleteAsync("k");
        Assert.Null((await store.GetAsync("k")).Value);
        await store.PutAsync("k", "three");
        Assert.Equal("three", Text(await store.GetAsync("k")));
    }

    [Fact]
    public async Task A_fresh_put_and_a_get_of_an_in_place_value_cost_one_roundtrip()
    {
        var writer = await StartAsync(1);
        var reader = await StartAsync(2);
        await writer.PutAsync("k", "v0");

        var put = await writer.PutAsync("k", "v1");
        await writer.GetAsync("k"); // lets the background verify of the put finish first
        var get = await reader.GetAsync("k");

        Assert.Equal(1, put.Roundtrips);
        Assert.Equal(1, get.Roundtrips);
        Assert.Equal("v1", Text(get));
    }

    [Fact]
    public async Task Writes_of_many_clients_to_many_keys_are_all_read_back()
    {
        var stores = await Task.WhenAll(Enumerable.Range(1, 4).Select(StartAsync));
        await Task.WhenAll(stores.Select((store, c) => Task.Run(async () =>
        {
            for (var k = 0; k < 50; k++)
            {
                await store.PutAsync($"key{k}", $"c{c}-k{k}");
            }
        })));

        for (var k = 0; k < 50; k++)
        {
            var value = Text(await stores[k % 4].GetAsync($"key{k}"));
            Assert.Matches($"^c[0-3]-k{k}$", value);
        }
    }

    [Fact]
    public async Task An_empty_value_is_a_value_not_an_absence()
    {
        var writer = await StartAsync(1);
        var reader = await StartAsync(2);

        await writer.InsertAsync(Encoding.UTF8.GetBytes("empty"), ReadOnlyMemory<byte>.Empty);
        var read = await reader.GetAsync(Encoding.UTF8.GetBytes("empty"));

        Assert.NotNull(read.Value);
        Assert.Empty(read.Value);
        Assert.Null((await reader.GetAsync("never")).Value);
    }

    [Fact]
    public async Task A_value_of_a_mebibyte_goes_out_of_place_and_comes_back_whole()
    {
        var store = await StartAsync(1);
        var reader = await StartAsync(2);
        var big = new byte[1 << 20];
        new Random(7).NextBytes(big);

        await store.PutAsync(Encoding.UTF8.GetBytes("big"), big);
        var read = await reader.GetAsync(Encoding.UTF8.GetBytes("big"));

        Assert.Equal(big, read.Value);
        Assert.True(read.Roundtrips >= 2, "a value larger than the in-place record needs the buffer");
    }

    [Fact]
    public async Task Any_one_memory_node_may_crash_without_losing_a_key_or_a_write()
    {
        var store = await StartAsync(1);
        for (var k = 0; k < 40; k++)
        {
            await store.PutAsync($"key{k}", $"v{k}");
        }

        _fabric.Faults.Crash(MemoryNodes[1]);
        for (var k = 0; k < 40; k += 2)
        {
            await store.PutAsync($"key{k}", $"w{k}");
        }

        var reader = await StartAsync(3);
        for (var k = 0; k < 40; k++)
        {
            Assert.Equal(k % 2 == 0 ? $"w{k}" : $"v{k}", Text(await reader.GetAsync($"key{k}")));
        }
    }

    [Fact]
    public async Task A_restarted_writer_recovers_its_entries_and_never_reuses_a_live_buffer()
    {
        var first = await StartAsync(1);
        for (var k = 0; k < 30; k++)
        {
            await first.PutAsync($"key{k}", $"old{k}");
        }

        // Same writer id, new process: it must rebuild its entries, last words and buffers.
        var restarted = await StartAsync(1);
        for (var k = 0; k < 30; k += 3)
        {
            await restarted.PutAsync($"key{k}", $"new{k}");
        }

        for (var k = 30; k < 60; k++)
        {
            await restarted.PutAsync($"key{k}", $"more{k}");
        }

        var reader = await StartAsync(2);
        for (var k = 0; k < 60; k++)
        {
            var expected = k >= 30 ? $"more{k}" : k % 3 == 0 ? $"new{k}" : $"old{k}";
            Assert.Equal(expected, Text(await reader.GetAsync($"key{k}")));
        }
    }

    [Fact]
    public async Task A_client_still_running_with_a_restarted_writer_id_is_stopped_at_its_next_write()
    {
        var zombie = await StartAsync(1);
        await zombie.PutAsync("k", "old");

        var restarted = await StartAsync(1);
        await restarted.PutAsync("k", "new");
        var stopped = await Assert.ThrowsAsync<SwarmWriterConflictException>(() => zombie.PutAsync("j", "late"));

        Assert.Contains("writer ids must be unique", stopped.Message, StringComparison.Ordinal);
        var reader = await StartAsync(2);
        Assert.Equal("new", Text(await reader.GetAsync("k")));
        await restarted.PutAsync("k", "newer");
        Assert.Equal("newer", Text(await reader.GetAsync("k")));
    }

    [Fact]
    public async Task DmAbd_writes_and_reads_in_two_roundtrips()
    {
        var writer = await StartAsync(1, SwarmKvMode.DmAbd);
        var reader = await StartAsync(2, SwarmKvMode.DmAbd);
        await writer.PutAsync("k", "v0");

        var put = await writer.PutAsync("k", "v1");
        var get = await reader.GetAsync("k");

        Assert.Equal("dm-abd", writer.System);
        Assert.Equal(2, put.Roundtrips);
        Assert.InRange(get.Roundtrips, 2, 3);
        Assert.Equal("v1", Text(get));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_error()
    {
        var store = await StartAsync(1);

        var longKey = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => store.PutAsync(new string('k', 33), "v"));
        var emptyKey = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => store.GetAsync(ReadOnlyMemory<byte>.Empty));
        var bigValue = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => store.PutAsync(Encoding.UTF8.GetBytes("k"), new byte[(1 << 20) + 1]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StartAsync(5));

        Assert.Contains("KeyBytesMax", longKey.Message, StringComparison.Ordinal);
        Assert.Contains("keys are", emptyKey.Message, StringComparison.Ordinal);
        Assert.Contains("MaxValueBytes", bigValue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_bucket_is_reported_not_overwritten()
    {
        var small = new SwarmKvOptions
        {
            MaxWriters = 1,
            BucketCount = 1,
            EntriesPerWriter = 2,
            InPlaceValueBytes = 16,
            KeyBytesMax = 16,
            MaxValueBytes = 64,
            ArenaBytesPerWriter = 64 * 1024,
        };
        using var fabric = new InProcFabric();
        fabric.AddEndpoint(MemoryNodes[0]).RegisterRegion(SwarmKvStore.RegionBytesFor(small));
        var store = await SwarmKvStore.StartAsync(1, [fabric.Connect(new NodeId(1), MemoryNodes[0])], small);
        await store.PutAsync("a", "1");
        await store.PutAsync("b", "2");

        var full = await Assert.ThrowsAsync<SwarmCapacityException>(() => store.PutAsync("c", "3"));

        Assert.Contains("EntriesPerWriter", full.Message, StringComparison.Ordinal);
        Assert.Equal("1", Text(await store.GetAsync("a")));
    }

    private Task<SwarmKvStore> StartAsync(int writer) => StartAsync(writer, SwarmKvMode.Swarm);

    private Task<SwarmKvStore> StartAsync(int writer, SwarmKvMode mode) =>
        SwarmKvStore.StartAsync(
            writer,
            MemoryNodes.Select(m => _fabric.Connect(new NodeId((uint)(writer * 100 + Random.Shared.Next(99))), m)).ToArray(),
            _options,
            mode);

    private static string? Text(KvReadResult result) =>
        result.Value is null ? null : Encoding.UTF8.GetString(result.Value);
}
