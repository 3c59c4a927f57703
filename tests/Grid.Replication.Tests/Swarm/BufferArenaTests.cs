using Grid.Replication.Swarm;

namespace Grid.Replication.Tests.Swarm;

public sealed class BufferArenaTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;

        // The arena measures grace periods on the monotonic timestamp, not the wall clock.
        public override long GetTimestamp() => Now.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    [Fact]
    public void Buffers_do_not_overlap_and_come_back_only_after_the_grace_period()
    {
        var time = new ManualTime();
        var arena = new BufferArena(64 * 4, TimeSpan.FromSeconds(1), time);
        var a = arena.Allocate(100); // 2 units
        var b = arena.Allocate(64);  // 1 unit
        Assert.Equal(0U, a);
        Assert.Equal(2U, b);

        arena.Retire(a);
        Assert.Throws<SwarmCapacityException>(() => arena.Allocate(100));
        time.Now += TimeSpan.FromSeconds(1);

        Assert.Equal(a, arena.Allocate(100));
    }

    [Fact]
    public void Space_found_live_by_recovery_is_never_handed_out()
    {
        var arena = new BufferArena(64 * 8, TimeSpan.FromSeconds(1), new ManualTime());
        arena.MarkLive(3, 64);
        arena.FreeGapsBelowTop();

        var handed = Enumerable.Range(0, 7).Select(_ => arena.Allocate(10)).ToList();

        Assert.DoesNotContain(3U, handed);
        Assert.Equal(7, handed.Distinct().Count());
    }
}
