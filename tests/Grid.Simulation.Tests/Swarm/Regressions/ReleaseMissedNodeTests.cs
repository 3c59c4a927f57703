using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (fault simulation, seed 3457 on the ring branch): a memory node that missed a
/// delete still held the key's older value in the writer's entry. The sweep freed the entry on
/// the nodes it reached, so the tombstone was gone there; once another node failed, a majority
/// made of the node that missed the delete and a freed one returned the deleted value again.
/// </summary>
public sealed class ReleaseMissedNodeTests
{
    private const uint Writer = 1;
    private const uint Reader = 2;
    private const ulong X = 0x91;

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
    public async Task A_sweep_never_frees_a_deleted_key_on_some_nodes_while_another_holds_its_older_value()
    {
        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, Writer);
        await writer.WriteAsync(X, Value("x1", 64));
        await writer.ReadAsync(X);

        // The delete reaches nodes 0 and 1; its batch to node 2 arrives after its deadline, is
        // refused, and closes the writer's connection there (nothing reconnects it here).
        cluster.Hold(Writer, 2);
        await writer.WriteAsync(X, Value("x deleted", 64), deletion: true);
        cluster.Time.Advance(Options.MaxInFlight + TimeSpan.FromMilliseconds(1));
        cluster.Release(Writer, 2);
        cluster.Time.Advance(Options.BufferGracePeriod);
        await writer.ReleaseDeletedAsync();

        // Node 0 crashes; a reader hears from nodes 1 and 2 (the writer's held batches never land).
        cluster.Fabric.Faults.Crash(MemoryNodes[0]);
        var reader = await cluster.StartAsync(2, Reader);
        var read = Text((await reader.ReadAsync(X)).Value);
        Assert.True(read is null or "x deleted", $"read {read} after the delete");
    }
}
