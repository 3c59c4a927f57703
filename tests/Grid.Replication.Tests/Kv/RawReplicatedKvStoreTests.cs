using System.Buffers.Binary;
using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Common;
using Grid.Replication.Kv;
using Grid.Replication.Kv.Raw;
using Grid.Replication.Kv.RawReplicated;

namespace Grid.Replication.Tests.Kv;

/// <summary>raw-replicated over the in-process fabric with three memory nodes.</summary>
public sealed class RawReplicatedKvStoreTests : IDisposable
{
    private static readonly NodeId[] MemoryNodes = [new(1000), new(1001), new(1002)];

    /// <summary>Long enough that a dropped batch never completes within a test.</summary>
    private static readonly TimeSpan NeverTimesOut = TimeSpan.FromHours(1);

    private readonly InProcFabric _fabric = new(new InProcFabricOptions { OperationTimeout = NeverTimesOut });
    private readonly RawKvOptions _options = Options();
    private int _clients;

    public RawReplicatedKvStoreTests()
    {
        foreach (var node in MemoryNodes)
        {
            _fabric.AddEndpoint(node).RegisterRegion(RawReplicatedKvStore.RegionBytesFor(_options));
        }
    }

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public async Task Put_get_overwrite_insert_and_delete()
    {
        var store = await StartAsync();

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

        await store.InsertAsync(Key("new"), Bytes("inserted"));
        Assert.Equal("inserted", Text((await store.GetAsync(Key("new"))).Value));
        // Deleting a key nobody wrote looks for it and writes nothing.
        Assert.Equal(0UL, (await store.DeleteAsync(Key("never written"))).Write);

        await store.PutAsync(Key("empty"), ReadOnlyMemory<byte>.Empty);
        var empty = (await store.GetAsync(Key("empty"))).Value;
        Assert.NotNull(empty);
        Assert.Empty(empty);
        Assert.Equal("raw-replicated", store.System);
    }

    [Fact]
    public async Task Every_node_gets_the_record_and_other_clients_see_writes_and_deletes()
    {
        var writer = await StartAsync();
        var reader = await StartAsync();

        await writer.InsertAsync(Key("k"), Bytes("from writer"));
        Assert.Equal("from writer", Text((await reader.GetAsync(Key("k"))).Value));
        foreach (var node in MemoryNodes)
        {
            Assert.Equal(1, CountWrittenRecords(node));
        }

        await reader.PutAsync(Key("k"), Bytes("from reader"));
        Assert.Equal("from reader", Text((await writer.GetAsync(Key("k"))).Value));
        await reader.DeleteAsync(Key("k"));
        Assert.Null((await writer.GetAsync(Key("k"))).Value);
    }

    [Fact]
    public async Task Gets_puts_and_deletes_of_a_known_key_cost_one_roundtrip_on_each_node()
    {
        var queuePairs = Connect();
        var store = await RawReplicatedKvStore.StartAsync(1, queuePairs, _options);
        var other = await StartAsync();

        // First put of a new key: the claim (CAS + READ on every node) and the WRITE.
        Assert.Equal(2, (await store.PutAsync(Key("k"), Bytes("v0"))).Roundtrips);
        for (var i = 1; i <= 20; i++)
        {
            var before = queuePairs.Select(q => q.Statistics.Roundtrips).ToArray();
            Assert.Equal(1, (await store.PutAsync(Key("k"), Bytes($"v{i}"))).Roundtrips);
            var read = await store.GetAsync(Key("k"));
            Assert.Equal(1, read.Roundtrips);
            Assert.Equal($"v{i}", Text(read.Value));
            // The reported count is what crossed the fabric: one batch per node per op, no more.
            Assert.Equal([2, 2, 2], queuePairs.Select((q, n) => q.Statistics.Roundtrips - before[n]));
        }

        // A client that never saw the key finds it by probing (1 READ round at its home record
        // here), then knows it.
        Assert.Equal(1, (await other.GetAsync(Key("k"))).Roundtrips);
        Assert.Equal(1, (await other.GetAsync(Key("k"))).Roundtrips);
        Assert.Equal(1, (await other.PutAsync(Key("k"), Bytes("x"))).Roundtrips);
        Assert.Equal(1, (await store.DeleteAsync(Key("k"))).Roundtrips);
    }

    [Fact]
    public async Task A_put_and_a_get_complete_at_a_majority_while_one_node_never_answers()
    {
        var store = await StartAsync();
        await store.PutAsync(Key("k"), Bytes("before"));
        // Node 2 loses everything from this client from now on; its batches would fail only
        // after an hour. In process, batches to the other nodes execute on the posting thread,
        // so an op that waits for a majority only is done when the call returns.
        _fabric.Faults.DropLink(new NodeId(1), MemoryNodes[2]);

        var put = store.PutAsync(Key("k"), Bytes("after"));
        Assert.True(put.IsCompletedSuccessfully, "the put waited for the node that does not answer");
        Assert.Equal(1, (await put).Roundtrips);
        var get = store.GetAsync(Key("k"));
        Assert.True(get.IsCompletedSuccessfully, "the get waited for the node that does not answer");
        Assert.Equal("after", Text((await get).Value));

        // A new key is claimed and written without that node too.
        var insert = store.InsertAsync(Key("fresh"), Bytes("v"));
        Assert.True(insert.IsCompletedSuccessfully, "the claim waited for the node that does not answer");
        Assert.Equal(2, (await insert).Roundtrips);
    }

    [Fact]
    public async Task One_crashed_node_leaves_every_op_working_and_two_make_them_fail()
    {
        var store = await StartAsync();
        await store.PutAsync(Key("k"), Bytes("v1"));

        _fabric.Faults.Crash(MemoryNodes[0]);
        var put = await store.PutAsync(Key("k"), Bytes("v2"));
        Assert.Equal(1, put.Roundtrips);
        var read = await store.GetAsync(Key("k"));
        Assert.Equal("v2", Text(read.Value));
        Assert.Equal(1, read.Roundtrips);
        await store.InsertAsync(Key("new"), Bytes("n"));
        // A client starting with the node down starts on the other two.
        Assert.Equal("n", Text((await (await StartAsync()).GetAsync(Key("new"))).Value));
        await store.DeleteAsync(Key("k"));
        Assert.Null((await store.GetAsync(Key("k"))).Value);

        _fabric.Faults.Crash(MemoryNodes[1]);
        await Assert.ThrowsAsync<QuorumUnavailableException>(() => store.PutAsync(Key("k"), Bytes("v3")));
        await Assert.ThrowsAsync<QuorumUnavailableException>(() => store.GetAsync(Key("k")));
        // A client starting now cannot reach a majority at all.
        await Assert.ThrowsAsync<QuorumUnavailableException>(StartAsync);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_get_returns_the_newest_copy_when_a_node_of_its_majority_holds_an_older_one(int crashed)
    {
        var writer = await StartAsync();
        await writer.PutAsync(Key("k"), Bytes("old"));
        var stale = Region(MemoryNodes[0]).ToArray();
        var put = await writer.PutAsync(Key("k"), Bytes("new"));
        // Node 0 missed the second put (as if its WRITE were still on the way), and one of the
        // nodes that got it crashed: every majority left is node 0 and one node with "new".
        stale.CopyTo(Region(MemoryNodes[0]));
        _fabric.Faults.Crash(MemoryNodes[crashed]);

        foreach (var reader in (IKeyValueStore[])[writer, await StartAsync()])
        {
            var read = await reader.GetAsync(Key("k"));
            Assert.Equal("new", Text(read.Value));
            Assert.Equal(put.Write, read.Observed);
        }
    }

    [Fact]
    public async Task Versions_grow_across_clients_and_a_put_after_a_get_beats_what_it_read()
    {
        // Two writers on one frozen clock: only their floors and writer ids order them.
        var clock = new FrozenTime(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
        var first = await RawReplicatedKvStore.StartAsync(7, Connect(), _options, clock);
        var second = await RawReplicatedKvStore.StartAsync(3, Connect(), _options, clock);

        var a = await first.PutAsync(Key("k"), Bytes("a"));
        var b = await first.PutAsync(Key("k"), Bytes("b"));
        Assert.True(b.Write > a.Write);
        Assert.Equal(7UL, a.Write & 0xFF);

        // The second writer's own clock gives a lower version (lower writer id, same time), but
        // it read "b" first, so its put must win.
        Assert.Equal("b", Text((await second.GetAsync(Key("k"))).Value));
        var c = await second.PutAsync(Key("k"), Bytes("c"));
        Assert.True(c.Write > b.Write);
        Assert.Equal(3UL, c.Write & 0xFF);
        Assert.Equal("c", Text((await first.GetAsync(Key("k"))).Value));
    }

    [Fact]
    public async Task A_full_table_of_colliding_keys_stays_readable_and_refuses_one_more_key()
    {
        var options = Options(records: 64);
        var nodes = new[] { new NodeId(2000), new NodeId(2001), new NodeId(2002) };
        foreach (var node in nodes)
        {
            _fabric.AddEndpoint(node).RegisterRegion(RawReplicatedKvStore.RegionBytesFor(options));
        }

        var loader = await RawReplicatedKvStore.StartAsync(1, Connect(nodes), options);
        for (var i = 0; i < 64; i++)
        {
            await loader.PutAsync(Key($"key-{i}"), Bytes($"value-{i}"));
        }

        var full = await Assert.ThrowsAsync<RawKvTableFullException>(
            () => loader.PutAsync(Key("one too many"), Bytes("x")));
        Assert.Contains("64 records", full.Message, StringComparison.Ordinal);

        var reader = await RawReplicatedKvStore.StartAsync(2, Connect(nodes), options);
        var probes = 0;
        for (var i = 0; i < 64; i++)
        {
            var read = await reader.GetAsync(Key($"key-{i}"));
            Assert.Equal($"value-{i}", Text(read.Value));
            probes += read.Roundtrips;
        }

        Assert.True(probes > 64, $"expected collisions to cost extra probes, got {probes} for 64 keys");
        Assert.Null((await reader.GetAsync(Key("never written"))).Value);
    }

    [Fact]
    public async Task Clients_claiming_records_at_once_lose_no_key_and_share_a_key_they_insert_together()
    {
        const int Clients = 4;
        const int KeysPerClient = 100;
        var stores = new RawReplicatedKvStore[Clients];
        for (var c = 0; c < Clients; c++)
        {
            stores[c] = await StartAsync();
        }

        // 400 distinct keys and 8 shared ones in 1,024 records: many claims race on one record.
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var k = 0; k < KeysPerClient; k++)
            {
                await stores[c].InsertAsync(Key($"c{c}-k{k}"), Bytes($"c{c}-k{k}"));
                if (k % 13 == 0)
                {
                    await stores[c].InsertAsync(Key($"shared-{k}"), Bytes($"from {c}"));
                }
            }
        }, TestContext.Current.CancellationToken)));

        var fresh = await StartAsync();
        foreach (var reader in stores.Append(fresh))
        {
            for (var c = 0; c < Clients; c++)
            {
                for (var k = 0; k < KeysPerClient; k++)
                {
                    Assert.Equal($"c{c}-k{k}", Text((await reader.GetAsync(Key($"c{c}-k{k}"))).Value));
                }
            }
        }

        for (var k = 0; k < KeysPerClient; k += 13)
        {
            Assert.StartsWith("from ", Text((await fresh.GetAsync(Key($"shared-{k}"))).Value), StringComparison.Ordinal);
        }

        // One written record per key on every node: no key took two, no two keys took one.
        foreach (var node in MemoryNodes)
        {
            Assert.Equal(Clients * KeysPerClient + 8, CountWrittenRecords(node));
        }
    }

    [Fact]
    public async Task A_record_held_by_a_minority_of_answers_is_neither_taken_nor_the_end_of_a_lookup()
    {
        // Three keys with one home record: the first owns it, the second lies one further on.
        var layout = new RawRecordLayout(_options, versioned: true);
        var sameHome = Enumerable.Range(0, 100_000).Select(i => $"key-{i}")
            .GroupBy(k => layout.ProbeIndex(RawRecordLayout.Hash(Key(k)), 0))
            .First(g => g.Count() >= 3).Take(3).ToArray();
        var home = layout.ProbeIndex(RawRecordLayout.Hash(Key(sameHome[0])), 0);
        var loader = await StartAsync();
        await loader.PutAsync(Key(sameHome[0]), Bytes("owner"));
        await loader.PutAsync(Key(sameHome[1]), Bytes("next"));

        // Node 2 never got the owner's record (free there), and node 0 crashed: the two nodes
        // left disagree on the home record, one vote each.
        Region(MemoryNodes[2]).Slice(home * layout.Stride, layout.Stride).Clear();
        _fabric.Faults.Crash(MemoryNodes[0]);

        // A lookup must not stop at a record that only one answer shows free.
        Assert.Equal("next", Text((await (await StartAsync()).GetAsync(Key(sameHome[1]))).Value));

        // A claim that wins only node 2 must move on, not take the owner's record.
        var third = await StartAsync();
        Assert.Equal(4, (await third.InsertAsync(Key(sameHome[2]), Bytes("third"))).Roundtrips);
        var reader = await StartAsync();
        Assert.Equal("owner", Text((await reader.GetAsync(Key(sameHome[0]))).Value));
        Assert.Equal("next", Text((await reader.GetAsync(Key(sameHome[1]))).Value));
        Assert.Equal("third", Text((await reader.GetAsync(Key(sameHome[2]))).Value));
    }

    [Fact]
    public async Task Bad_input_gets_clear_errors()
    {
        var store = await StartAsync();

        var longKey = await Assert.ThrowsAsync<ArgumentException>(
            () => store.PutAsync(new byte[_options.KeyBytesMax + 1], Bytes("v")));
        Assert.Contains($"at most {_options.KeyBytesMax}", longKey.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(new byte[_options.KeyBytesMax + 1]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(new byte[_options.KeyBytesMax + 1]));
        var bigValue = await Assert.ThrowsAsync<ArgumentException>(
            () => store.PutAsync(Key("k"), new byte[_options.MaxValueBytes + 1]));
        Assert.Contains("MaxValueBytes", bigValue.Message, StringComparison.Ordinal);

        // The largest key and value fit exactly.
        var key = Enumerable.Repeat((byte)'k', _options.KeyBytesMax).ToArray();
        var value = Enumerable.Repeat((byte)7, _options.MaxValueBytes).ToArray();
        await store.PutAsync(key, value);
        Assert.Equal(value, (await store.GetAsync(key)).Value);
    }

    [Fact]
    public async Task Bad_nodes_writer_ids_and_options_are_refused_at_start()
    {
        var even = await Assert.ThrowsAsync<ArgumentException>(
            () => RawReplicatedKvStore.StartAsync(1, Connect().Take(2).ToList(), _options));
        Assert.Contains("odd number of memory nodes", even.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => RawReplicatedKvStore.StartAsync(1, [], _options));

        var id = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => RawReplicatedKvStore.StartAsync(0, Connect(), _options));
        Assert.Contains("writer ids are 1..255", id.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RawReplicatedKvStore.StartAsync(256, Connect(), _options));

        // One node of three has a region too small for the table (a RAW-sized one: no version word).
        var small = new NodeId(3000);
        _fabric.AddEndpoint(small).RegisterRegion(RawKvStore.RegionBytesFor(_options));
        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => RawReplicatedKvStore.StartAsync(1, Connect([MemoryNodes[0], small, MemoryNodes[2]]), _options));
        Assert.Contains($"memory node {small} needs a region 0 of at least", error.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => RawReplicatedKvStore.StartAsync(1, Connect(), new RawKvOptions { Records = 0 }));
    }

    [Fact]
    public void A_record_is_rounded_up_to_8_bytes_and_carries_a_version_word_more_than_raw()
    {
        var options = new RawKvOptions { Records = 1000, KeyBytesMax = 24, MaxValueBytes = 61 };
        // 24-byte header (RAW's 16 and the version) + 24-byte key + 61-byte value = 109 -> 112.
        Assert.Equal(1000 * 112, RawReplicatedKvStore.RegionBytesFor(options));
        Assert.Equal(1000 * 104, RawKvStore.RegionBytesFor(options));
    }

    private static RawKvOptions Options(int records = 1024) =>
        new() { Records = records, KeyBytesMax = 32, MaxValueBytes = 512 };

    private Task<RawReplicatedKvStore> StartAsync()
    {
        var queuePairs = Connect();
        return RawReplicatedKvStore.StartAsync(_clients, queuePairs, _options);
    }

    /// <summary>Queue pairs of a new client (node ids 1, 2, ...) to <paramref name="nodes"/>.</summary>
    private QueuePair[] Connect(IReadOnlyList<NodeId>? nodes = null)
    {
        var client = new NodeId((uint)++_clients);
        return (nodes ?? MemoryNodes).Select(node => _fabric.Connect(client, node)).ToArray();
    }

    private Span<byte> Region(NodeId node)
    {
        var region = _fabric.GetEndpoint(node).Regions[0];
        return region.GetSpan(0, (int)region.Length);
    }

    /// <summary>Records with a key written (keyLength+1 set), read straight from a node's memory.</summary>
    private int CountWrittenRecords(NodeId node)
    {
        var region = Region(node);
        var stride = (int)(RawReplicatedKvStore.RegionBytesFor(_options) / _options.Records);
        var written = 0;
        for (var i = 0; i < _options.Records; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(region[(i * stride + RawRecordLayout.KeyLengthOffset)..]) != 0)
            {
                written++;
            }
        }

        return written;
    }

    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    private static byte[] Bytes(string value) => Encoding.UTF8.GetBytes(value);

    private static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);

    /// <summary>A clock that never moves.</summary>
    private sealed class FrozenTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
