using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Kv;
using Grid.Replication.Kv.Raw;

namespace Grid.Replication.Tests.Kv;

public sealed class RawKvStoreTests : IDisposable
{
    private static readonly NodeId MemoryNode = new(1000);

    private readonly InProcFabric _fabric = new();
    private readonly List<QueuePair> _queuePairs = [];

    public void Dispose()
    {
        foreach (var queuePair in _queuePairs)
        {
            queuePair.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _fabric.Dispose();
    }

    [Fact]
    public async Task Put_get_overwrite_and_delete()
    {
        var store = await StartAsync(Options());

        Assert.Null((await store.GetAsync(Key("a"))).Value);
        await store.PutAsync(Key("a"), Bytes("one"));
        Assert.Equal("one", Text((await store.GetAsync(Key("a"))).Value));

        await store.PutAsync(Key("a"), Bytes("a longer second value"));
        Assert.Equal("a longer second value", Text((await store.GetAsync(Key("a"))).Value));
        await store.PutAsync(Key("a"), Bytes("2"));
        Assert.Equal("2", Text((await store.GetAsync(Key("a"))).Value));

        await store.DeleteAsync(Key("a"));
        Assert.Null((await store.GetAsync(Key("a"))).Value);
        await store.PutAsync(Key("a"), Bytes("back"));
        Assert.Equal("back", Text((await store.GetAsync(Key("a"))).Value));

        await store.PutAsync(Key("empty"), ReadOnlyMemory<byte>.Empty);
        var empty = (await store.GetAsync(Key("empty"))).Value;
        Assert.NotNull(empty);
        Assert.Empty(empty);
        Assert.Equal("raw", store.System);
    }

    [Fact]
    public async Task Another_client_sees_the_writes_and_its_overwrites_are_seen()
    {
        var options = Options();
        var writer = await StartAsync(options);
        var reader = await StartAsync(options);

        await writer.InsertAsync(Key("k"), Bytes("from writer"));
        Assert.Equal("from writer", Text((await reader.GetAsync(Key("k"))).Value));

        await reader.PutAsync(Key("k"), Bytes("from reader"));
        Assert.Equal("from reader", Text((await writer.GetAsync(Key("k"))).Value));

        await reader.DeleteAsync(Key("k"));
        Assert.Null((await writer.GetAsync(Key("k"))).Value);
    }

    [Fact]
    public async Task Gets_and_puts_cost_one_roundtrip_once_the_key_is_known()
    {
        var options = Options();
        var queuePair = Connect(1, options);
        var store = await RawKvStore.StartAsync(queuePair, options);
        var other = await StartAsync(options);

        // First put of a new key: the claim (CAS + READ) and the WRITE.
        Assert.Equal(2, (await store.PutAsync(Key("k"), Bytes("v0"))).Roundtrips);
        for (var i = 1; i <= 20; i++)
        {
            var before = queuePair.Statistics.Roundtrips;
            Assert.Equal(1, (await store.PutAsync(Key("k"), Bytes($"v{i}"))).Roundtrips);
            var read = await store.GetAsync(Key("k"));
            Assert.Equal(1, read.Roundtrips);
            Assert.Equal($"v{i}", Text(read.Value));
            // The reported count is what crossed the fabric.
            Assert.Equal(2, queuePair.Statistics.Roundtrips - before);
        }

        // A client that never saw the key finds it by probing (1 READ at its home record here),
        // then knows it.
        Assert.Equal(1, (await other.GetAsync(Key("k"))).Roundtrips);
        Assert.Equal(1, (await other.GetAsync(Key("k"))).Roundtrips);
        Assert.Equal(1, (await other.PutAsync(Key("k"), Bytes("x"))).Roundtrips);
        Assert.Equal(1, (await store.DeleteAsync(Key("k"))).Roundtrips);
    }

    [Fact]
    public async Task A_full_table_of_colliding_keys_stays_readable_and_refuses_one_more_key()
    {
        // 64 records for 64 keys: most keys collide and probe past their home record.
        var options = Options(records: 64);
        var loader = await StartAsync(options);
        for (var i = 0; i < 64; i++)
        {
            await loader.PutAsync(Key($"key-{i}"), Bytes($"value-{i}"));
        }

        var full = await Assert.ThrowsAsync<RawKvTableFullException>(
            () => loader.PutAsync(Key("one too many"), Bytes("x")));
        Assert.Contains("64 records", full.Message, StringComparison.Ordinal);

        // A fresh client has to probe; every key must still be found, with its own value.
        var reader = await StartAsync(options);
        var probes = 0;
        for (var i = 0; i < 64; i++)
        {
            var read = await reader.GetAsync(Key($"key-{i}"));
            Assert.Equal($"value-{i}", Text(read.Value));
            probes += read.Roundtrips;
        }

        Assert.True(probes > 64, $"expected collisions to cost extra probes, got {probes} for 64 keys");
        Assert.Null((await reader.GetAsync(Key("never written"))).Value);

        // Existing keys can still be overwritten and deleted in a full table.
        await reader.PutAsync(Key("key-7"), Bytes("seven"));
        await reader.DeleteAsync(Key("key-8"));
        Assert.Equal("seven", Text((await loader.GetAsync(Key("key-7"))).Value));
        Assert.Null((await loader.GetAsync(Key("key-8"))).Value);
    }

    [Fact]
    public async Task Concurrent_clients_on_distinct_keys_lose_nothing()
    {
        const int Clients = 4;
        const int KeysPerClient = 100;
        var options = Options(records: 512); // under 80% full: long probe runs, many collisions
        var stores = new RawKvStore[Clients];
        for (var c = 0; c < Clients; c++)
        {
            stores[c] = await StartAsync(options);
        }

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var round = 0; round < 3; round++)
            {
                for (var k = 0; k < KeysPerClient; k++)
                {
                    await stores[c].PutAsync(Key($"c{c}-k{k}"), Bytes($"c{c}-k{k}-r{round}"));
                }
            }
        }, TestContext.Current.CancellationToken)));

        // Every client reads every key, most of them written by others.
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(reader => Task.Run(async () =>
        {
            for (var c = 0; c < Clients; c++)
            {
                for (var k = 0; k < KeysPerClient; k++)
                {
                    var read = await stores[reader].GetAsync(Key($"c{c}-k{k}"));
                    Assert.Equal($"c{c}-k{k}-r2", Text(read.Value));
                }
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(Clients * KeysPerClient, CountClaimedRecords(options));
    }

    [Fact]
    public async Task Clients_inserting_the_same_key_at_once_share_one_record()
    {
        var options = Options(records: 16);
        var stores = new RawKvStore[4];
        for (var c = 0; c < stores.Length; c++)
        {
            stores[c] = await StartAsync(options);
        }

        for (var attempt = 0; attempt < 8; attempt++)
        {
            var key = Key($"shared-{attempt}");
            await Task.WhenAll(stores.Select((store, c) =>
                Task.Run(() => store.PutAsync(key, Bytes($"from {c}")), TestContext.Current.CancellationToken)));
            var value = Text((await (await StartAsync(options)).GetAsync(key)).Value);
            Assert.StartsWith("from ", value, StringComparison.Ordinal);
        }

        Assert.Equal(8, CountClaimedRecords(options));
    }

    [Fact]
    public async Task Reads_racing_torn_writes_return_bounded_values_and_never_throw()
    {
        // Writes land 2 bytes at a time, so a READ can see half of a new length field.
        using var fabric = new InProcFabric(new InProcFabricOptions { TornWriteChunkBytes = 2 });
        var options = Options();
        fabric.AddEndpoint(MemoryNode).RegisterRegion(RawKvStore.RegionBytesFor(options));
        var writer = await RawKvStore.StartAsync(fabric.Connect(new NodeId(1), MemoryNode), options);
        var reader = await RawKvStore.StartAsync(fabric.Connect(new NodeId(2), MemoryNode), options);
        await writer.PutAsync(Key("k"), new byte[10]);

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var writes = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                // Lengths whose bytes mix into other in-range lengths and into garbage.
                var length = i++ % 3 switch { 0 => 10, 1 => 300, _ => 255 };
                await writer.PutAsync(Key("k"), Enumerable.Repeat((byte)i, length).ToArray());
                if (i % 7 == 0)
                {
                    await writer.DeleteAsync(Key("k"));
                }
            }
        }, TestContext.Current.CancellationToken);

        var reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var value = (await reader.GetAsync(Key("k"))).Value;
            Assert.True(value is null || value.Length <= options.MaxValueBytes);
            reads++;
        }

        await writes;
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task Bad_input_gets_clear_errors()
    {
        var options = Options();
        var store = await StartAsync(options);

        var longKey = await Assert.ThrowsAsync<ArgumentException>(
            () => store.PutAsync(new byte[options.KeyBytesMax + 1], Bytes("v")));
        Assert.Contains($"at most {options.KeyBytesMax}", longKey.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(new byte[options.KeyBytesMax + 1]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(new byte[options.KeyBytesMax + 1]));

        var bigValue = await Assert.ThrowsAsync<ArgumentException>(
            () => store.PutAsync(Key("k"), new byte[options.MaxValueBytes + 1]));
        Assert.Contains("MaxValueBytes", bigValue.Message, StringComparison.Ordinal);

        // The largest key and value fit exactly.
        var key = Enumerable.Repeat((byte)'k', options.KeyBytesMax).ToArray();
        var value = Enumerable.Repeat((byte)7, options.MaxValueBytes).ToArray();
        await store.PutAsync(key, value);
        Assert.Equal(value, (await store.GetAsync(key)).Value);
    }

    [Fact]
    public async Task A_region_too_small_or_bad_options_are_refused_at_start()
    {
        var options = Options();
        var small = new NodeId(1001);
        _fabric.AddEndpoint(small).RegisterRegion(RawKvStore.RegionBytesFor(options) - 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => RawKvStore.StartAsync(_fabric.Connect(new NodeId(1), small), options));
        Assert.Contains("needs a region 0 of at least", error.Message, StringComparison.Ordinal);

        var none = new NodeId(1002);
        _fabric.AddEndpoint(none);
        error = await Assert.ThrowsAsync<ArgumentException>(
            () => RawKvStore.StartAsync(_fabric.Connect(new NodeId(1), none), options));
        Assert.Contains("has no region 0", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(
            () => RawKvStore.RegionBytesFor(new RawKvOptions { Records = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => RawKvStore.RegionBytesFor(new RawKvOptions { KeyBytesMax = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => RawKvStore.RegionBytesFor(new RawKvOptions { MaxValueBytes = -1 }));
    }

    [Fact]
    public void The_region_size_is_records_times_an_aligned_record()
    {
        // 16-byte header + 24-byte key + 61-byte value = 101, padded to 104 for the 8-byte CAS.
        Assert.Equal(1000 * 104,
            RawKvStore.RegionBytesFor(new RawKvOptions { Records = 1000, KeyBytesMax = 24, MaxValueBytes = 61 }));
    }

    private static RawKvOptions Options(int records = 1024) =>
        new() { Records = records, KeyBytesMax = 32, MaxValueBytes = 512 };

    private Task<RawKvStore> StartAsync(RawKvOptions options) =>
        RawKvStore.StartAsync(Connect(_queuePairs.Count + 1, options), options);

    /// <summary>A queue pair of a new client; the first one creates the memory node for the options.</summary>
    private QueuePair Connect(int client, RawKvOptions options)
    {
        if (_queuePairs.Count == 0)
        {
            _fabric.AddEndpoint(MemoryNode).RegisterRegion(RawKvStore.RegionBytesFor(options));
        }

        var queuePair = _fabric.Connect(new NodeId((uint)client), MemoryNode);
        _queuePairs.Add(queuePair);
        return queuePair;
    }

    /// <summary>Records whose keyHash word is set, read straight from the node's memory.</summary>
    private int CountClaimedRecords(RawKvOptions options)
    {
        var region = _fabric.GetEndpoint(MemoryNode).Regions[0];
        var stride = RawKvStore.RegionBytesFor(options) / options.Records;
        var claimed = 0;
        for (var i = 0; i < options.Records; i++)
        {
            if (region.ReadWord(i * stride) != 0)
            {
                claimed++;
            }
        }

        return claimed;
    }

    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    private static byte[] Bytes(string value) => Encoding.UTF8.GetBytes(value);

    private static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);
}
