using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (5e1095f, "recovery takes an entry's key from the node holding its newest word"):
/// a restarted writer rebuilt each entry's key as the largest key hash any node showed. An entry
/// swept and reused for another key can still show the old key on a node the zeroing missed,
/// and when that hash was the larger one the writer took the entry for the old key: writing
/// that key again put its hash over the new key's entry everywhere.
/// </summary>
public sealed class RecoveryKeyTests
{
    private const uint Writer = 1;
    private const uint Restarted = 11;
    private const uint Reader = 2;

    // The old key's hash is the larger one, so comparing hashes picks the wrong key.
    private const ulong OldKey = 0xF0;
    private const ulong NewKey = 0x10;

    private static SwarmOptions Options => new()
    {
        MaxWriters = 2,
        BucketCount = 1,
        EntriesPerWriter = 2,
        InPlaceValueBytes = 8,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 64 * 1024,
        BufferGracePeriod = TimeSpan.FromSeconds(8),
        BatchLifetime = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_restarted_writer_takes_each_entrys_key_from_the_node_with_its_newest_word()
    {
        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, Writer);
        await writer.WriteAsync(OldKey, Value("old", 64));
        await writer.WriteAsync(OldKey, Value("old deleted", 64), deletion: true);

        // The sweep's zeroing of entry 0 misses node 0, and the new key then reuses the entry on
        // nodes 1 and 2: node 0 still shows the old key (and its older word) in entry 0.
        cluster.Time.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await cluster.ReleaseMissingNodeAsync(writer, missed: 0, bucket: 0, entry: 0));
        cluster.Hold(Writer, 0);
        cluster.Time.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        await writer.WriteAsync(NewKey, Value("new", 64));
        Assert.Equal(OldKey, cluster.EntryKey(0, 0, 1, 0));
        Assert.Equal(NewKey, cluster.EntryKey(1, 0, 1, 0));
        Assert.True(cluster.EntrySlot(1, 0, 1, 0) > cluster.EntrySlot(0, 0, 1, 0));

        // The writer restarts with the same id (its recovery scan hears from nodes 0 and 1) and
        // writes the old key again.
        var restarted = await cluster.StartAsync(1, Restarted);
        await restarted.WriteAsync(OldKey, Value("old again", 64));

        Assert.Equal(NewKey, cluster.EntryKey(1, 0, 1, 0));
        Assert.Equal(NewKey, cluster.EntryKey(2, 0, 1, 0));
        var reader = await cluster.StartAsync(2, Reader);
        Assert.Equal("new", Text((await reader.ReadAsync(NewKey)).Value));
        Assert.Equal("old again", Text((await reader.ReadAsync(OldKey)).Value));
        await restarted.WriteAsync(NewKey, Value("new again", 64));
        Assert.Equal("new again", Text((await reader.ReadAsync(NewKey)).Value));
        Assert.Equal("old again", Text((await reader.ReadAsync(OldKey)).Value));
    }
}
