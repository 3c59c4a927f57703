using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (fault simulation on the ring branch, seed 297): a timestamp refresh reads each key
/// with every node in each snapshot, and a write cut short on one node long ago, whose writer
/// went on and reused its buffer, left an unverified word there that no buffer backs. The
/// refresh's read pinned it, found no copy and started over until it gave up, so no refresh pass
/// ever finished and writes stopped at the refresh deadline. It is cleared first now.
/// </summary>
public sealed class RefreshLeftoverTests
{
    private const ulong Key = 0x51;

    // A 2^20 µs ring (about a second) with time bounds that fit it.
    private static SwarmOptions Options => new()
    {
        MaxWriters = 2,
        BucketCount = 1,
        EntriesPerWriter = 2,
        InPlaceValueBytes = 8,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 64 * 1024,
        BatchLifetime = TimeSpan.FromMilliseconds(4),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(1),
        BufferGracePeriod = TimeSpan.FromMilliseconds(24),
        TimestampRingBits = 20,
    };

    [Fact]
    public async Task A_refresh_clears_an_old_unverified_word_whose_buffer_is_gone_and_finishes()
    {
        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, 1);
        await writer.WriteAsync(Key, Value("a", 64));
        await writer.ReadAsync(Key); // the background verify has run

        // Node 2 alone holds a later, unverified word of writer 1 whose buffer never held it.
        var slot = cluster.Layout.EntryOffset(0, 1, 0) + SwarmLayout.SlotOffsetInEntry;
        var verified = cluster.Word(0, slot);
        var leftover = Tsp.Make(Tsp.Timestamp(verified) + 5, Tsp.BufferId(verified) + 7, 1, verified: false);
        Assert.True(cluster.Fabric.GetEndpoint(MemoryNodes[2]).TryGetRegion(0, out var region));
        region.WriteWord((long)slot, leftover);

        // Old enough to refresh; a pass must read every node, so it meets the leftover.
        cluster.Time.Advance(Options.TimestampRefreshAge + TimeSpan.FromMilliseconds(10));
        await writer.RefreshStaleAsync(force: true);

        Assert.Equal(1, writer.Counters.RefreshPasses);
        Assert.NotEqual(leftover, cluster.Word(2, slot));

        // Node 0 crashes: a read from nodes 1 and 2 returns the value.
        cluster.Fabric.Faults.Crash(MemoryNodes[0]);
        var reader = await cluster.StartAsync(2, 2);
        Assert.Equal("a", Text((await reader.ReadAsync(Key)).Value));
    }
}
