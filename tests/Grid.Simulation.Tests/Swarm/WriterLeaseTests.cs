using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Common;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>Writer-id leases over the in-process fabric with three memory nodes.</summary>
public sealed class WriterLeaseTests : IDisposable
{
    private static readonly NodeId[] MemoryNodes = [new(1000), new(1001), new(1002)];
    private readonly ManualTimeProvider _time = new();
    private readonly InProcFabric _fabric;
    private readonly SwarmLayout _layout;
    private readonly SwarmKvOptions _kv = new()
    {
        MaxWriters = 4,
        BucketCount = 16,
        EntriesPerWriter = 4,
        InPlaceValueBytes = 32,
        KeyBytesMax = 32,
        MaxValueBytes = 1024,
        ArenaBytesPerWriter = 1L << 20,
    };

    private readonly WriterLeaseOptions _options = new()
    {
        Duration = TimeSpan.FromSeconds(30),
        RenewInterval = TimeSpan.FromSeconds(10),
        ClockSkewAllowance = TimeSpan.FromSeconds(5),
    };

    // The fault simulation's lease: the shortest Duration allowed, renewed every third of it.
    private static readonly WriterLeaseOptions ShortLease = new()
    {
        Duration = TimeSpan.FromSeconds(3),
        RenewInterval = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(10),
    };

    private uint _nextClient = 1;

    public WriterLeaseTests()
    {
        _fabric = new InProcFabric(new InProcFabricOptions { TimeProvider = _time });
        _layout = new SwarmLayout(_kv.ToSwarmOptions());
        foreach (var node in MemoryNodes)
        {
            _fabric.AddEndpoint(node).RegisterRegion(_layout.RegionBytes);
        }
    }

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public async Task Clients_that_start_together_get_distinct_ids_and_the_ones_beyond_MaxWriters_a_clear_error()
    {
        // Seven clients race for four ids, twenty times over fresh lease words.
        for (var round = 0; round < 20; round++)
        {
            ClearLeaseWords();
            var attempts = await WhileTimePassesAsync(Task.WhenAll(Enumerable.Range(0, 7).Select(_ => Task.Run(async () =>
            {
                try
                {
                    return (Lease: (WriterLease?)await WriterLease.AcquireAsync(Connect(), _layout, _options, _time), Error: (Exception?)null);
                }
                catch (SwarmCapacityException ex)
                {
                    return (Lease: (WriterLease?)null, Error: (Exception?)ex);
                }
            }))));

            var leases = attempts.Where(a => a.Lease is not null).Select(a => a.Lease!).ToList();
            Assert.Equal(4, leases.Count);
            Assert.Equal([1, 2, 3, 4], leases.Select(l => l.WriterId).Order());
            Assert.All(attempts.Where(a => a.Error is not null), a => Assert.Contains("leased by running clients", a.Error!.Message));

            // Each id's word on a majority names its holder's lease.
            foreach (var lease in leases)
            {
                Assert.True(await lease.RenewAsync());
            }
        }
    }

    [Fact]
    public async Task A_released_id_is_handed_out_again_and_a_held_one_is_not()
    {
        var first = await AcquireAsync();
        var second = await AcquireAsync();
        Assert.Equal(1, first.WriterId);
        Assert.Equal(2, second.WriterId);

        // Released, the word keeps its holder with an expiry one batch lifetime away (rounded up
        // to a second) instead of going to 0: the next holder waits a grace period after it.
        var releasedAt = _time.GetUtcNow().ToUnixTimeSeconds();
        await first.DisposeAsync();
        // (On a majority: the acquisition's CAS on the third node may still be on its way.)
        var marks = MemoryNodes.Select(node => LeaseWord.Expires(LeaseWordOn(node, 1))).ToList();
        Assert.True(marks.Count(e => e >= releasedAt && e <= releasedAt + 1) >= 2, string.Join(", ", marks));
        Assert.Equal(3, (await AcquireAsync()).WriterId);

        _time.Advance(_options.ClockSkewAllowance + TimeSpan.FromSeconds(2));
        var third = await AcquireAsync();
        Assert.Equal(1, third.WriterId);
        Assert.Equal(4, (await AcquireAsync()).WriterId);
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_only_after_the_skew_allowance_and_its_holder_is_then_fenced()
    {
        var holder = await AcquireAsync();
        var store = await SwarmKvStore.StartAsync(holder.WriterId, Connect(), _kv, time: _time, lease: holder);
        await store.PutAsync("k", "from the first holder");

        // Expired, but within the skew allowance: still the first holder's.
        _time.Advance(_options.Duration + _options.ClockSkewAllowance - TimeSpan.FromSeconds(1));
        var other = await AcquireAsync();
        Assert.NotEqual(holder.WriterId, other.WriterId);

        // The holder's lease ran out by its own clock: it posts nothing more, renewed or not.
        await Assert.ThrowsAsync<SwarmWriterConflictException>(() => store.PutAsync("k", "from a zombie"));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await other.RenewAsync());
        var successor = await AcquireAsync();
        Assert.Equal(holder.WriterId, successor.WriterId);
        Assert.True(successor.SafeFrom >= holder.ExpiresAt + _kv.BufferGracePeriod);

        // The successor starts only a grace period after the old lease's expiry.
        var starting = SwarmKvStore.StartAsync(successor.WriterId, Connect(), _kv, time: _time, lease: successor);
        await Task.Delay(50);
        Assert.False(starting.IsCompleted);
        _time.Advance(successor.SafeFrom - _time.GetUtcNow());
        var successorStore = await starting;

        Assert.False(holder.Lost.IsCancellationRequested);
        Assert.False(await holder.RenewAsync());
        Assert.True(holder.Lost.IsCancellationRequested);
        Assert.Contains("ran out", holder.LostReason);

        // Nothing the old holder tried landed, and it stays fenced.
        Assert.Equal("from the first holder", Text(await successorStore.GetAsync("k")));
        await successorStore.PutAsync("k", "from the successor");
        var fenced = await Assert.ThrowsAsync<SwarmWriterConflictException>(() => store.PutAsync("k", "from a zombie again"));
        Assert.Contains("fenced", fenced.Message);
        Assert.Equal("from the successor", Text(await successorStore.GetAsync("k")));
        await Assert.ThrowsAsync<SwarmWriterConflictException>(() => store.GetAsync("k"));
        Assert.True(await successor.RenewAsync());
    }

    [Fact]
    public async Task Renewal_keeps_the_id_across_many_durations_and_repairs_a_node_that_lost_the_word()
    {
        var holder = await AcquireAsync();
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(_options.RenewInterval);
            Assert.True(await holder.RenewAsync());
        }

        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds() + 30, holder.ExpiresAt.ToUnixTimeSeconds());

        // A memory node that restarts comes back zeroed: the next renewal puts the word back there.
        await WriteLeaseWordAsync(MemoryNodes[1], holder.WriterId, 0);
        _time.Advance(_options.RenewInterval);
        Assert.True(await holder.RenewAsync());
        Assert.All(MemoryNodes, node => Assert.Equal(LeaseWordOn(MemoryNodes[0], holder.WriterId), LeaseWordOn(node, holder.WriterId)));

        var other = await AcquireAsync();
        Assert.NotEqual(holder.WriterId, other.WriterId);
        Assert.False(holder.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task Leases_are_taken_and_renewed_with_one_memory_node_down_and_refused_with_two()
    {
        _fabric.Faults.Crash(MemoryNodes[2]);
        var holder = await AcquireAsync();
        Assert.True(await holder.RenewAsync());
        Assert.Equal(2, (await AcquireAsync()).WriterId);

        _fabric.Faults.Crash(MemoryNodes[1]);
        Assert.False(await holder.RenewAsync());
        Assert.False(holder.Lost.IsCancellationRequested);
        await Assert.ThrowsAsync<QuorumUnavailableException>(() => AcquireAsync());
    }

    [Fact]
    public async Task A_fixed_id_is_taken_from_its_holder_which_then_loses_its_lease()
    {
        var holder = await AcquireAsync();
        var taker = await WriterLease.TakeAsync(holder.WriterId, Connect(), _layout, _options, _time);
        Assert.True(taker.Forced);
        Assert.Equal(holder.WriterId, taker.WriterId);

        Assert.False(await holder.RenewAsync());
        Assert.True(holder.Lost.IsCancellationRequested);

        // A lost lease frees nothing when disposed: the id stays the taker's.
        await holder.DisposeAsync();
        Assert.True(await taker.RenewAsync());
        Assert.Equal(2, (await AcquireAsync()).WriterId);
    }

    [Fact]
    public async Task A_racing_holder_left_on_a_minority_does_not_block_the_winner()
    {
        // A loser that crashed before undoing its win leaves its word on one node.
        await WriteLeaseWordAsync(MemoryNodes[0], 1, ((ulong)0xBADu << 32) | (uint)(_time.GetUtcNow().ToUnixTimeSeconds() + 30));
        var holder = await WriterLease.TakeAsync(1, Connect(), _layout, _options, _time);
        Assert.True(await holder.RenewAsync());
        Assert.Equal(2, (await AcquireAsync()).WriterId); // id 1 is held on nodes 1 and 2 and still shows 0xBAD on node 0

        // Once the leftover expires, the holder's renewal (renewing all along) takes node 0 back.
        var until = _time.GetUtcNow() + _options.Duration + _options.ClockSkewAllowance + TimeSpan.FromSeconds(1);
        while (_time.GetUtcNow() < until)
        {
            _time.Advance(_options.RenewInterval);
            Assert.True(await holder.RenewAsync());
        }

        Assert.All(MemoryNodes, node => Assert.Equal(LeaseWordOn(MemoryNodes[1], 1), LeaseWordOn(node, 1)));
    }

    [Fact]
    public async Task A_holder_never_writes_its_word_over_another_holders_live_word()
    {
        // Found by the fault simulation (GRID_SEED=251): a holder whose take landed late on one
        // node renewed from the word it had seen there, the successor's, and so took that node
        // from it; with a majority it became holder again while the successor was writing.
        var holder = await AcquireAsync();
        var successor = ((ulong)0x5CCu << 32) | (uint)(_time.GetUtcNow().ToUnixTimeSeconds() + 30);
        await WriteLeaseWordAsync(MemoryNodes[2], holder.WriterId, successor);

        Assert.True(await holder.RenewAsync()); // nodes 0 and 1 are still its own
        Assert.True(await holder.RenewAsync());

        Assert.Equal(successor, LeaseWordOn(MemoryNodes[2], holder.WriterId));
    }

    [Fact]
    public async Task A_lease_taken_or_renewed_just_before_a_whole_second_lasts_its_whole_Duration()
    {
        // The word keeps whole seconds. Rounded down, a lease taken at x.990 lasted 2.01 s of its
        // 3 s, and a renewal RenewInterval later (a third of Duration) was its last chance.
        _time.Advance(TimeSpan.FromMilliseconds(990));
        var acquired = await WriterLease.AcquireAsync(Connect(), _layout, ShortLease, _time);
        Assert.True(acquired.ExpiresAt >= _time.GetUtcNow() + ShortLease.Duration, $"{acquired.ExpiresAt:O}");
        var taken = await WriterLease.TakeAsync(2, Connect(), _layout, ShortLease, _time);
        Assert.True(taken.ExpiresAt >= _time.GetUtcNow() + ShortLease.Duration, $"{taken.ExpiresAt:O}");

        _time.Advance(ShortLease.RenewInterval);
        Assert.True(await taken.RenewAsync());
        Assert.True(taken.ExpiresAt >= _time.GetUtcNow() + ShortLease.Duration, $"{taken.ExpiresAt:O}");
    }

    [Fact]
    public async Task A_taker_whose_first_renewal_loses_a_race_with_the_displaced_holder_renews_at_the_next()
    {
        // Found by the fault simulation (GRID_SEED=2523). The displaced holder's word is on nodes
        // 1 and 2; a take at x.990 wins nodes 0 and 1; node 1 restarts. The taker's first renewal
        // finds the displaced word on node 2, and that holder's own renewal moves it before the
        // taker's second round CASes from it. With the expiry rounded down to x + 3, the taker's
        // next renewal came after its lease had run out.
        var displacedNode = new NodeId(_nextClient++);
        _fabric.Faults.HoldLink(displacedNode, MemoryNodes[0]);
        var displaced = await WriterLease.AcquireAsync(Connect(displacedNode), _layout, ShortLease, _time);
        _fabric.Faults.ReleaseLink(displacedNode, MemoryNodes[0]);
        var id = displaced.WriterId;
        Assert.Equal(0ul, LeaseWordOn(MemoryNodes[0], id));

        _time.Advance(TimeSpan.FromMilliseconds(990));
        var takerNode = new NodeId(_nextClient++);
        var taker = await WriterLease.TakeAsync(id, Connect(takerNode), _layout, ShortLease, _time);
        var displacedWord = LeaseWordOn(MemoryNodes[2], id);
        Assert.Equal(displaced.ExpiresAt.ToUnixTimeSeconds(), LeaseWord.Expires(displacedWord));
        Assert.Equal(LeaseWordOn(MemoryNodes[0], id), LeaseWordOn(MemoryNodes[1], id));
        Assert.NotEqual(LeaseWord.Holder(displacedWord), LeaseWord.Holder(LeaseWordOn(MemoryNodes[0], id)));
        _fabric.Faults.Restart(MemoryNodes[1], keepMemory: true);

        // The first renewal, its timer a little late. Its CAS to node 1 is held, so its second
        // round waits while the displaced holder renews on node 2 (it sees the taker on node 0
        // only, so it cannot tell it lost the id).
        _time.Advance(ShortLease.RenewInterval + TimeSpan.FromMilliseconds(10));
        _fabric.Faults.HoldLink(takerNode, MemoryNodes[1]);
        var first = taker.RenewAsync();
        Assert.False(await displaced.RenewAsync());
        Assert.False(displaced.Lost.IsCancellationRequested);
        _fabric.Faults.ReleaseLink(takerNode, MemoryNodes[1]);
        Assert.False(await first);
        Assert.False(taker.Lost.IsCancellationRequested);
        Assert.Equal(LeaseWord.Holder(displacedWord), LeaseWord.Holder(LeaseWordOn(MemoryNodes[2], id)));

        // The next renewal comes in time and takes node 2 from the holder it displaced.
        _time.Advance(ShortLease.RenewInterval + TimeSpan.FromMilliseconds(10));
        Assert.True(await taker.RenewAsync(), taker.LostReason);
        Assert.False(taker.Lost.IsCancellationRequested);
        Assert.Equal(LeaseWordOn(MemoryNodes[0], id), LeaseWordOn(MemoryNodes[2], id));

        // The displaced holder never becomes valid again.
        Assert.False(await displaced.RenewAsync());
        Assert.True(displaced.Lost.IsCancellationRequested);
        Assert.Equal(DateTimeOffset.MinValue, displaced.ValidUntil);
        Assert.True(await taker.RenewAsync());
    }

    [Fact]
    public async Task A_lease_that_ran_out_is_lost_and_never_revived_by_a_late_renewal()
    {
        // In the gap another client may have held the id and its client state is stale; only a
        // new lease (and a new SWARM client) may write under the id again.
        var holder = await AcquireAsync();
        _time.Advance(_options.Duration + TimeSpan.FromSeconds(1));

        Assert.False(await holder.RenewAsync());
        Assert.True(holder.Lost.IsCancellationRequested);
        Assert.Contains("ran out", holder.LostReason);
        Assert.Equal(DateTimeOffset.MinValue, holder.ValidUntil);
    }

    [Theory]
    [InlineData(2, 10, 5, "Duration")]
    [InlineData(30, 11, 5, "RenewInterval")]
    [InlineData(30, 0, 5, "RenewInterval")]
    [InlineData(30, 10, -1, "ClockSkewAllowance")]
    public void Options_out_of_range_are_refused_by_name(int durationSeconds, int renewSeconds, int skewSeconds, string name)
    {
        var options = new WriterLeaseOptions
        {
            Duration = TimeSpan.FromSeconds(durationSeconds),
            RenewInterval = TimeSpan.FromSeconds(renewSeconds),
            ClockSkewAllowance = TimeSpan.FromSeconds(skewSeconds),
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(name, error.ParamName);
    }

    private Task<WriterLease> AcquireAsync() => WriterLease.AcquireAsync(Connect(), _layout, _options, _time);

    private QueuePair[] Connect() => Connect(new NodeId(_nextClient++));

    private QueuePair[] Connect(NodeId client) => MemoryNodes.Select(node => _fabric.Connect(client, node)).ToArray();

    private ulong LeaseWordOn(NodeId node, int writer)
    {
        Assert.True(_fabric.GetEndpoint(node).TryGetRegion(0, out var region));
        return region.ReadWord((long)_layout.LeaseOffset(writer));
    }

    private async Task WriteLeaseWordAsync(NodeId node, int writer, ulong word)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, word);
        await using var pair = _fabric.Connect(new NodeId(999), node);
        await pair.WriteAsync(0, _layout.LeaseOffset(writer), bytes);
    }

    private void ClearLeaseWords()
    {
        foreach (var node in MemoryNodes)
        {
            for (var w = 1; w <= _kv.MaxWriters; w++)
            {
                WriteLeaseWordAsync(node, w, 0).GetAwaiter().GetResult();
            }
        }
    }

    private static string? Text(KvReadResult result) =>
        result.Value is null ? null : System.Text.Encoding.UTF8.GetString(result.Value);

    /// <summary>
    /// Racers that lose a compare-and-swap back off on the injected clock; virtual time moves on
    /// (1 ms per real millisecond) until they are all done.
    /// </summary>
    private async Task<T> WhileTimePassesAsync<T>(Task<T> work)
    {
        while (!work.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(1);
        }

        return await work;
    }
}
