using Grid.RdmaTransport;
using Grid.Replication.Common;
using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (5e1095f, "fence lost writers"): a writer whose id was taken over keeps writing.
/// Its batches target the id's entries and buffer arena, which the new holder allocates from
/// too, so before the fix a late batch could put another key's hash into the new holder's entry
/// and another image into its buffer: an acknowledged value became unreadable.
/// </summary>
public sealed class FencedWriterTests
{
    private const uint OldHolder = 1;
    private const uint NewHolder = 2;
    private const ulong KeyA1 = 0xA1;
    private const ulong KeyA2 = 0xA2;
    private const ulong KeyB1 = 0xB1;

    // One bucket, so both holders allocate entries from the same four; values go out of place.
    private static SwarmOptions Options => new()
    {
        MaxWriters = 2,
        BucketCount = 1,
        EntriesPerWriter = 4,
        InPlaceValueBytes = 8,
        MaxValueBytes = 256,
        ArenaBytesPerWriter = 64 * 1024,
        BufferGracePeriod = TimeSpan.FromSeconds(10),
        BatchLifetime = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(500),
    };

    private static readonly WriterLeaseOptions LeaseOptions = new();

    [Fact]
    public async Task A_fenced_writers_late_and_later_ops_never_change_what_the_new_holders_keys_read()
    {
        using var cluster = new RegressionCluster(Options);
        var time = cluster.Time;
        var oldLease = await WriterLease.AcquireAsync(cluster.Connect(11), cluster.Layout, LeaseOptions, time);
        var old = await cluster.StartAsync(oldLease.WriterId, OldHolder, oldLease);
        await old.WriteAsync(KeyA1, Value("a1 by the old holder", 64));

        // The old holder's next write is on its way (its entry 1 and the buffer after a1's) and stays in flight.
        cluster.Hold(OldHolder, 0, 1, 2);
        var inFlight = old.WriteAsync(KeyA2, Value("a2 by the old holder", 64));
        Assert.False(inFlight.IsCompleted);

        // A client configured with the same id takes it over and starts once the old holder's
        // batches can no longer land (renewing its lease meanwhile).
        var newLease = await WriterLease.TakeAsync(oldLease.WriterId, cluster.Connect(12), cluster.Layout, LeaseOptions, time);
        var starting = cluster.StartAsync(newLease.WriterId, NewHolder, newLease);
        while (time.GetUtcNow() < newLease.SafeFrom)
        {
            time.Advance(Min(LeaseOptions.RenewInterval, newLease.SafeFrom - time.GetUtcNow()));
            Assert.True(await newLease.RenewAsync());
        }

        var holder = await starting;

        // Its first new key takes the entry and the buffer the old holder's write in flight targets.
        await holder.WriteAsync(KeyB1, Value("b1 by the new holder", 64));

        // The delayed batches arrive now.
        var late = cluster.Release(OldHolder, 0, 1, 2);
        var lateError = await Record.ExceptionAsync(() => inFlight);

        Assert.Equal("b1 by the new holder", Text((await holder.ReadAsync(KeyB1)).Value));
        Assert.Equal("a1 by the old holder", Text((await holder.ReadAsync(KeyA1)).Value));
        for (var node = 0; node < 3; node++)
        {
            Assert.Equal(KeyB1, cluster.EntryKey(node, 0, oldLease.WriterId, 1));
        }

        Assert.Equal(3, late.Count);
        Assert.All(late, batch => Assert.Equal(TransportError.Expired, batch.Error));
        Assert.IsType<QuorumUnavailableException>(lateError);

        // The old holder learns it lost the id: from then on it refuses every op at once, and
        // posts nothing (its links are held again: a post would leave the op pending).
        Assert.False(await oldLease.RenewAsync());
        Assert.True(oldLease.Lost.IsCancellationRequested);
        cluster.Hold(OldHolder, 0, 1, 2);
        var ops = new List<Task>
        {
            old.WriteAsync(KeyB1, Value("b1 by a zombie", 64)),
            old.WriteAsync(KeyA1, Value("a1 by a zombie", 64)),
            old.ReadAsync(KeyB1),
            old.WriteAsync(KeyA2, Value("a2 by a zombie", 64)),
            old.ReleaseDeletedAsync(),
        };
        foreach (var op in ops)
        {
            Assert.True(op.IsCompleted);
            var refused = await Assert.ThrowsAsync<SwarmWriterConflictException>(() => op);
            Assert.Contains("fenced", refused.Message, StringComparison.Ordinal);
        }

        Assert.NotNull(old.FencedReason);
        Assert.Empty(cluster.Release(OldHolder, 0, 1, 2));
        Assert.Equal("b1 by the new holder", Text((await holder.ReadAsync(KeyB1)).Value));
        Assert.Equal("a1 by the old holder", Text((await holder.ReadAsync(KeyA1)).Value));
        Assert.Null((await holder.ReadAsync(KeyA2)).Value);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
