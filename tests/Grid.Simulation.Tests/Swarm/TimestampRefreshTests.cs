using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Kv;
using Grid.Replication.Swarm;
using Grid.Simulation.Tests.Swarm.Faults;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// Timestamps that never run out (README of Swarm/, "Timestamps that never run out"): SWARM-KV
/// on three in-process memory nodes and one manual clock, over days of virtual time, across
/// many wraps of the timestamp ring; with keys left idle, keys moved between writers, a cluster
/// left unrefreshed for days, a memory node away past the refresh deadline, and clocks years off.
/// </summary>
public sealed class TimestampRefreshTests : IDisposable
{
    private static readonly NodeId[] MemoryNodes = [new(1000), new(1001), new(1002)];

    private readonly ManualTimeProvider _time = new();
    private readonly InProcFabric _fabric;
    private uint _nextClient = 1;

    public TimestampRefreshTests()
    {
        _fabric = new InProcFabric(new InProcFabricOptions
        {
            TimeProvider = _time,
            Deadlines = new BatchDeadline(Full.ClockSkewAllowance, TimeSpan.FromSeconds(10)),
        });
    }

    /// <summary>The production ring (2^36 µs, 19 h 5 min) and time bounds.</summary>
    private static SwarmKvOptions Full => new()
    {
        MaxWriters = 4,
        BucketCount = 16,
        EntriesPerWriter = 8,
        KeyBytesMax = 16,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 1 << 20,
    };

    /// <summary>A ring of 2^20 µs (about 1 s), with time bounds small enough to fit it.</summary>
    private static SwarmKvOptions Narrow => new()
    {
        MaxWriters = 4,
        BucketCount = 4,
        EntriesPerWriter = 8,
        KeyBytesMax = 16,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 1 << 20,
        BatchLifetime = TimeSpan.FromMilliseconds(4),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(1),
        BufferGracePeriod = TimeSpan.FromMilliseconds(24),
        TimestampRingBits = 20,
    };

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public async Task Three_days_of_writes_with_idle_and_moved_keys_lose_nothing()
    {
        var options = Full;
        AddNodes(options);
        var one = await StartAsync(1, options);
        var two = await StartAsync(2, options);
        await one.PutAsync("idle", "i0");
        await one.PutAsync("moved", "m0");
        var hot = "";
        var step = TimeSpan.FromMinutes(10);
        for (var i = 1; i <= 3 * 24 * 6; i++)
        {
            _time.Advance(step);
            var writer = i % 2 == 0 ? one : two;
            hot = $"h{i}";
            await writer.PutAsync("hot", hot);
            if (i == 72)
            {
                await two.PutAsync("moved", "m1"); // writer 1's entry for it is now below writer 2's
            }

            await one.SweepAsync();
            await two.SweepAsync();
            Assert.Equal(hot, Text(await one.GetAsync("hot")));
            Assert.Equal(hot, Text(await two.GetAsync("hot")));
            Assert.Equal("i0", Text(await two.GetAsync("idle")));
            Assert.Equal(i < 72 ? "m0" : "m1", Text(await one.GetAsync("moved")));
        }

        var fresh = await StartAsync(3, options);
        Assert.Equal("i0", Text(await fresh.GetAsync("idle")));
        Assert.Equal("m1", Text(await fresh.GetAsync("moved")));
        Assert.Equal(hot, Text(await fresh.GetAsync("hot")));
        await fresh.PutAsync("idle", "i1");
        Assert.Equal("i1", Text(await one.GetAsync("idle")));

        var refreshed = one.Counters.RefreshedKeys + two.Counters.RefreshedKeys;
        var cleared = one.Counters.ClearedWords + two.Counters.ClearedWords;
        Assert.True(refreshed >= 20, $"{refreshed} keys rewritten"); // idle and moved, every few hours, for 3 days
        Assert.True(cleared > 0, $"{cleared} old words cleared");
        Assert.Equal(0, one.Counters.Rebases + two.Counters.Rebases);
    }

    [Fact]
    public async Task Without_refreshes_writes_stop_before_an_old_word_could_pass_for_a_new_one()
    {
        var options = Full;
        AddNodes(options);
        var one = await StartAsync(1, options);
        await one.PutAsync("a", "1");

        _time.Advance(options.ToSwarmOptions().TimestampRefreshDeadline + TimeSpan.FromSeconds(1));
        var refused = await Assert.ThrowsAsync<SwarmCapacityException>(() => one.PutAsync("a", "2"));
        Assert.Contains("no timestamp refresh over every memory node has finished", refused.Message, StringComparison.Ordinal);
        Assert.Equal("1", Text(await one.GetAsync("a")));
    }

    [Fact]
    public async Task A_cluster_left_unrefreshed_for_days_rebases_and_takes_writes_again()
    {
        var options = Full;
        AddNodes(options);
        var one = await StartAsync(1, options);
        var two = await StartAsync(2, options);
        await one.PutAsync("a", "a1");
        await two.PutAsync("b", "b1");
        await two.PutAsync("a", "a2");

        // Nobody sweeps for five days: more than six wraps of the ring pass in real time.
        for (var hour = 0; hour < 5 * 24; hour++)
        {
            _time.Advance(TimeSpan.FromHours(1));
        }

        await Assert.ThrowsAsync<SwarmCapacityException>(() => one.PutAsync("a", "a3"));
        Assert.Equal("a2", Text(await one.GetAsync("a")));

        await one.SweepAsync();
        Assert.Equal(1, one.Counters.Rebases);
        Assert.True(one.Counters.RefreshPasses >= 1);

        await one.PutAsync("a", "a3");
        await two.PutAsync("b", "b2"); // writer 2 follows the moved epoch
        Assert.Equal("a3", Text(await two.GetAsync("a")));
        Assert.Equal("b2", Text(await one.GetAsync("b")));
        await two.PutAsync("a", "a4");
        Assert.Equal("a4", Text(await one.GetAsync("a")));

        var fresh = await StartAsync(3, options);
        Assert.Equal("a4", Text(await fresh.GetAsync("a")));
        Assert.Equal("b2", Text(await fresh.GetAsync("b")));
    }

    [Fact]
    public async Task A_new_client_of_a_cluster_idle_for_days_catches_up_before_writing()
    {
        var options = Full;
        AddNodes(options);
        var one = await StartAsync(1, options);
        await one.PutAsync("a", "a1");
        await one.PutAsync("b", "b1");
        _time.Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(7));

        var two = await StartAsync(2, options);
        Assert.Equal(1, two.Counters.Rebases);
        Assert.Equal("a1", Text(await two.GetAsync("a")));
        var write = await two.PutAsync("a", "a2");
        Assert.Equal(1, write.Roundtrips);
        Assert.Equal("a2", Text(await two.GetAsync("a")));
        Assert.Equal("b1", Text(await two.GetAsync("b")));
    }

    [Fact]
    public async Task A_memory_node_away_past_the_deadline_stops_writes_until_every_node_answers_a_refresh()
    {
        var options = Full;
        AddNodes(options);
        var one = await StartAsync(1, options);
        await one.PutAsync("a", "a1");
        _fabric.Faults.Crash(MemoryNodes[2]);

        var deadline = options.ToSwarmOptions().TimestampRefreshDeadline;
        for (var elapsed = TimeSpan.Zero; elapsed <= deadline; elapsed += TimeSpan.FromMinutes(10))
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            await one.SweepAsync();
            if (elapsed + TimeSpan.FromMinutes(10) < deadline)
            {
                await one.PutAsync("a", "a1"); // a majority keeps taking writes meanwhile
            }
        }

        Assert.True(one.Counters.RefreshesDeferred > 0);
        await Assert.ThrowsAsync<SwarmCapacityException>(() => one.PutAsync("a", "a2"));

        // The node comes back with its memory; a client that connects now refreshes over all three.
        _fabric.Faults.Restart(MemoryNodes[2], keepMemory: true);
        var two = await StartAsync(2, options);
        Assert.True(two.Counters.RefreshPasses >= 1);
        await two.PutAsync("a", "a2");
        await one.PutAsync("b", "b1"); // the first client reads the new mark and writes again
        Assert.Equal("a2", Text(await one.GetAsync("a")));
    }

    [Fact]
    public async Task A_host_whose_clock_is_years_off_cannot_stop_the_others()
    {
        var options = Full;
        AddNodes(options);
        var one = await StartAsync(1, options);
        await one.PutAsync("a", "a1");

        // Its wall clock years ahead (or behind): the memory nodes refuse its every batch.
        foreach (var offset in new[] { TimeSpan.FromDays(3 * 365), -TimeSpan.FromDays(3 * 365) })
        {
            var wrong = new SkewedTimeProvider(_time, offset);
            var pairs = MemoryNodes.Select(m => _fabric.Connect(new NodeId(_nextClient++), m)).ToArray();
            await Assert.ThrowsAnyAsync<Exception>(() => SwarmKvStore.StartAsync(2, pairs, options, time: wrong));
        }

        // Its guess clock years ahead, its wall clock right: its guesses stay near the present.
        var farAhead = await StartAsync(3, options, new FixedClock(ulong.MaxValue / 3));
        var write = await farAhead.PutAsync("a", "a2");
        var unitsNow = (ulong)((_time.GetUtcNow() - EpochOf(one)).Ticks / 10);
        var ring = new TimestampRing(Tsp.TimestampBits);
        Assert.InRange(ring.Distance(ring.Wrap(unitsNow), Tsp.Timestamp(write.Write)), 0, (long)options.ToSwarmOptions().MaxInFlight.TotalMicroseconds + 1);

        // The others go on writing for days, through many wraps.
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromHours(1));
            await one.PutAsync("a", $"a{i + 3}");
            await one.SweepAsync();
            Assert.Equal($"a{i + 3}", Text(await farAhead.GetAsync("a")));
        }
    }

    public static TheoryData<int> NarrowRingSeeds => new(Enumerable.Range(1, 12));

    [Theory]
    [MemberData(nameof(NarrowRingSeeds))]
    public async Task A_narrow_ring_wrapped_hundreds_of_times_under_three_writers_keeps_every_value(int seed)
    {
        var options = Narrow;
        AddNodes(options);
        var writers = new[] { await StartAsync(1, options), await StartAsync(2, options), await StartAsync(3, options) };
        var random = new Random(seed);
        var truth = new Dictionary<string, string?>();
        var keys = Enumerable.Range(0, 12).Select(k => $"k{k}").ToArray();
        var ring = options.ToSwarmOptions();
        var end = _time.GetUtcNow() + 60 * 2 * ring.TimestampHalfRing;
        var ops = 0;
        var history = new List<string>();
        while (_time.GetUtcNow() < end)
        {
            // Time moves in steps up to a refresh period; some keys sit idle for many wraps.
            _time.Advance(TimeSpan.FromMicroseconds(random.Next(1, (int)ring.TimestampRefreshPeriod.TotalMicroseconds)));
            var store = writers[random.Next(writers.Length)];
            var key = keys[random.Next(random.Next(2) == 0 ? 3 : keys.Length)];
            switch (random.Next(10))
            {
                case < 4:
                    var value = $"v{ops}";
                    var put = await store.PutAsync(key, value);
                    truth[key] = value;
                    history.Add($"op {ops} w{store.WriterId} {key} = {value} {Tsp.Describe(put.Write)} at {_time.GetUtcNow():HH:mm:ss.ffffff}");
                    break;
                case 4:
                    var deleted = await store.DeleteAsync(key);
                    truth[key] = null;
                    history.Add($"op {ops} w{store.WriterId} {key} deleted {Tsp.Describe(deleted.Write)} at {_time.GetUtcNow():HH:mm:ss.ffffff}");
                    break;
                default:
                    var raw = await store.GetAsync(key);
                    var read = Text(raw);
                    if (truth.GetValueOrDefault(key) != read)
                    {
                        history.Add($"observed {Tsp.Describe(raw.Observed)}; words: {DumpWords(options, key)}");
                    }

                    Assert.True(truth.GetValueOrDefault(key) == read,
                        $"op {ops} at {_time.GetUtcNow():O}: writer {store.WriterId} read {key} = {read ?? "absent"}, " +
                        $"expected {truth.GetValueOrDefault(key) ?? "absent"}; history: {string.Join(", ", history.Where(h => h.Contains($" {key} ") || h.StartsWith("observed", StringComparison.Ordinal)).TakeLast(7))}; " +
                        string.Join("; ", writers.Select(w => $"w{w.WriterId}: passes {w.Counters.RefreshPasses} deferred {w.Counters.RefreshesDeferred} rewritten {w.Counters.RefreshedKeys} cleared {w.Counters.ClearedWords}")));
                    break;
            }

            foreach (var writer in writers)
            {
                await writer.SweepAsync();
            }

            ops++;
        }

        var fresh = await StartAsync(4, options);
        foreach (var key in keys)
        {
            Assert.Equal(truth.GetValueOrDefault(key), Text(await fresh.GetAsync(key)));
        }

        Assert.True(writers.Sum(w => w.Counters.RefreshedKeys) > 30, $"{ops} ops");
        Assert.Equal(0, writers.Sum(w => w.Counters.Rebases));
    }

    private void AddNodes(SwarmKvOptions options)
    {
        foreach (var node in MemoryNodes)
        {
            _fabric.AddEndpoint(node).RegisterRegion(SwarmKvStore.RegionBytesFor(options));
        }
    }

    private Task<SwarmKvStore> StartAsync(int writer, SwarmKvOptions options, ISwarmClock? clock = null) =>
        SwarmKvStore.StartAsync(
            writer, MemoryNodes.Select(m => _fabric.Connect(new NodeId(_nextClient++), m)).ToArray(), options,
            clock: clock, time: _time);

    private static DateTimeOffset EpochOf(SwarmKvStore store) => store.TimestampEpoch;

    private string DumpWords(SwarmKvOptions options, string key)
    {
        var layout = new SwarmLayout(options.ToSwarmOptions());
        var hash = System.IO.Hashing.XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
        var parts = new List<string>();
        for (var n = 0; n < MemoryNodes.Length; n++)
        {
            Assert.True(_fabric.GetEndpoint(MemoryNodes[n]).TryGetRegion(0, out var region));
            for (var w = 1; w <= options.MaxWriters; w++)
            {
                for (var e = 0; e < options.EntriesPerWriter; e++)
                {
                    var at = (long)layout.EntryOffset(layout.BucketOf(hash), w, e);
                    if (region.ReadWord(at) == hash)
                    {
                        parts.Add($"n{n} w{w}e{e} slot {Tsp.Describe(region.ReadWord(at + 8))} helped {Tsp.Describe(region.ReadWord(at + 16))}");
                    }
                }
            }
        }

        return string.Join(" | ", parts);
    }

    private static string? Text(KvReadResult read) => read.Value is null ? null : Encoding.UTF8.GetString(read.Value);

    private sealed class FixedClock(ulong now) : ISwarmClock
    {
        public ulong Now() => now;
    }
}
