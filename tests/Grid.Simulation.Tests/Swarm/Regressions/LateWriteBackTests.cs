using Grid.RdmaTransport;
using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (5e1095f, "bound batch lifetimes"): a reader's write-back copies a buffer image
/// to the buffer's home. Checked only when the read posted it, a write-back delayed on its way
/// could land after the buffer's grace period, in a buffer the writer had reused for a newer
/// value. Now every batch carries a deadline, the node refuses it once that has passed, and the
/// options insist that the grace period covers four in-flight bounds.
/// </summary>
public sealed class LateWriteBackTests
{
    private const uint Writer = 1;
    private const uint Reader = 2;
    private const ulong Key = 0x4;

    // T = 1 s and S = 500 ms, so the shortest grace period allowed is 4 x (T + 2S) = 8 s.
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
    public async Task A_write_back_delayed_past_its_buffers_grace_period_never_lands_and_a_shorter_grace_is_refused()
    {
        // A grace period shorter than four in-flight bounds would let a late copy outlive it.
        var tooShort = Options;
        tooShort.BufferGracePeriod = 4 * (tooShort.BatchLifetime + 2 * tooShort.ClockSkewAllowance) - TimeSpan.FromTicks(1);
        var refused = Assert.Throws<ArgumentOutOfRangeException>(tooShort.Validate);
        Assert.Equal(nameof(SwarmOptions.BufferGracePeriod), refused.ParamName);
        Options.Validate();

        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, Writer);
        var reader = await cluster.StartAsync(2, Reader);

        // v1 reaches nodes 0 and 1 only (the writer's link to node 2 is slow) ...
        cluster.Hold(Writer, 2);
        await writer.WriteAsync(Key, Value("v1", 64));

        // ... so a reader that hears from nodes 0 and 2 writes v1 back; its copy to node 1 is delayed.
        cluster.Hold(Reader, 1);
        Assert.Equal("v1", Text((await reader.ReadAsync(Key)).Value));
        Assert.Equal(1, reader.Counters.WriteBacks);
        cluster.Release(Writer, 2);

        // v2 retires v1's buffer; a grace period later v3 reuses it.
        await writer.WriteAsync(Key, Value("v2", 64));
        cluster.Time.Advance(Options.BufferGracePeriod + TimeSpan.FromMilliseconds(1));
        await writer.WriteAsync(Key, Value("v3", 64));
        await writer.ReadAsync(Key); // the background verify has run
        var v3 = cluster.EntrySlot(0, 0, 1, 0);
        var v1Buffer = Tsp.BufferId(v3);

        // The reader's copy of v1 arrives now, long after it was posted.
        var late = cluster.Release(Reader, 1);

        for (var node = 0; node < 3; node++)
        {
            var bufferWord = cluster.Word(node, cluster.Layout.BufferOffset(1, v1Buffer) + SwarmLayout.BufferTspOffset);
            Assert.True(Tsp.Identity(bufferWord) == Tsp.Identity(v3),
                $"node {node}: v3's buffer holds {Tsp.Describe(bufferWord)}, not v3 ({Tsp.Describe(v3)})");
        }

        Assert.Equal("v3", Text((await writer.ReadAsync(Key)).Value));
        // The first late batch (the reader's snapshot) is refused as expired; the node flushes the
        // ones after it on that connection, the write-back among them.
        Assert.True(late.Count >= 2);
        Assert.Equal(TransportError.Expired, late[0].Error);
        Assert.All(late.Skip(1), batch => Assert.Equal(TransportError.QueuePairInError, batch.Error));
    }
}
