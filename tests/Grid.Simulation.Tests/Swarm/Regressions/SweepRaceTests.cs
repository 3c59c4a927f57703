using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (5e1095f, "released index entries are quarantined ... a write-back sets the key
/// hash by CAS from 0 only"): a reader's write-back for a deleted key, delayed past the sweep
/// that freed the key's entry, wrote the old key's hash into the entry after the writer had
/// reused it for a new key, so that node no longer counted towards the new key's copies.
/// </summary>
public sealed class SweepRaceTests
{
    private const uint Writer = 1;
    private const uint Reader = 2;
    private const uint Checker = 3;
    private const ulong X = 0x71;
    private const ulong Y = 0x72;

    // One bucket with one entry per writer: the new key can only reuse the deleted key's entry.
    private static SwarmOptions Options => new()
    {
        MaxWriters = 3,
        BucketCount = 1,
        EntriesPerWriter = 1,
        InPlaceValueBytes = 8,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 64 * 1024,
        BufferGracePeriod = TimeSpan.FromSeconds(8),
        BatchLifetime = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_write_back_racing_the_sweep_of_a_deleted_key_keeps_the_new_keys_write_on_a_majority()
    {
        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, Writer);
        var reader = await cluster.StartAsync(2, Reader);
        await writer.WriteAsync(X, Value("x", 64));

        // The deletion reaches nodes 0 and 1; a reader that hears from nodes 0 and 2 writes the
        // tombstone back, and its copy to node 1 (key hash included) is delayed.
        cluster.Hold(Writer, 2);
        await writer.WriteAsync(X, Value("x deleted", 64), deletion: true);
        cluster.Hold(Reader, 1);
        Assert.Equal("x deleted", Text((await reader.ReadAsync(X)).Value));
        Assert.Equal(1, reader.Counters.WriteBacks);
        cluster.Release(Writer, 2);

        // The sweep frees X's entry a grace period later; once it may be reused, Y takes it. Y's
        // write reaches nodes 0 and 1 only: f+1 copies, acknowledged.
        cluster.Time.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await writer.ReleaseDeletedAsync());
        cluster.Time.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        cluster.Hold(Writer, 2);
        await writer.WriteAsync(Y, Value("y", 64));
        Assert.Equal(Y, cluster.EntryKey(0, 0, 1, 0));

        // The reader's delayed write-back arrives now.
        cluster.Release(Reader, 1);

        Assert.Equal(Y, cluster.EntryKey(0, 0, 1, 0));
        Assert.Equal(Y, cluster.EntryKey(1, 0, 1, 0));

        // So Y survives the crash of either copy: node 0 goes, and a new client reads Y from 1 and 2.
        cluster.Fabric.Faults.Crash(MemoryNodes[0]);
        var checker = await cluster.StartAsync(3, Checker);
        Assert.Equal("y", Text((await checker.ReadAsync(Y)).Value));
        Assert.Null((await checker.ReadAsync(X)).Value);
    }
}
