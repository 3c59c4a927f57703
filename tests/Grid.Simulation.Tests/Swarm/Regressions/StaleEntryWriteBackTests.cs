using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Found while writing <see cref="RecoveryKeyTests"/>: after a sweep's zeroing missed node 0, node 0 still shows writer 1's entry 0 under the old
/// key while nodes 1 and 2 reuse entry 0 for the new key, and the restarted writer puts the old
/// key into entry 1. A reader's write-back for the old key takes the entry from
/// SwarmSnapshot.EntryOf, the first entry of the writer any replying node shows: the stale
/// entry 0 on node 0. It then raises the helped word of entry 0 on every node, which on nodes
/// 1 and 2 is the new key's entry, so the new key read the old key's value. The entry is now
/// the one holding the writer's newest word.
/// </summary>
public sealed class StaleEntryWriteBackTests
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
    public async Task A_write_back_never_raises_another_keys_entry_when_a_node_still_shows_a_swept_entry()
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
        cluster.Hold(Restarted, 2);
        await restarted.WriteAsync(OldKey, Value("old again", 64));
        var reader = await cluster.StartAsync(2, Reader);
        cluster.Hold(Reader, 1);
        Assert.Equal("old again", Text((await reader.ReadAsync(OldKey)).Value));
        Assert.Equal("new", Text((await reader.ReadAsync(NewKey)).Value));
    }
}
