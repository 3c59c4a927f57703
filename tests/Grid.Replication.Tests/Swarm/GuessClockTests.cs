using Grid.Replication.Swarm;

namespace Grid.Replication.Tests.Swarm;

public sealed class GuessClockTests
{
    private sealed class FrozenClock(ulong now) : ISwarmClock
    {
        public ulong Now() => now;
    }

    [Fact]
    public void Guesses_strictly_increase_even_on_a_frozen_clock()
    {
        var clock = new GuessClock(new FrozenClock(10), new TimestampRing(Tsp.TimestampBits));

        Assert.Equal(10UL, clock.Next());
        Assert.Equal(11UL, clock.Next());
        Assert.Equal(12UL, clock.Next());
    }

    [Fact]
    public void Observing_a_later_timestamp_makes_the_next_guess_beat_it()
    {
        var clock = new GuessClock(new FrozenClock(10), new TimestampRing(Tsp.TimestampBits));
        clock.Observe(500);

        Assert.Equal(501UL, clock.Next());
        Assert.Equal(900UL, clock.NextAtLeast(900));
    }

    [Fact]
    public void Guesses_stay_within_reach_of_the_reference_however_far_the_guess_clock_is()
    {
        var ring = new TimestampRing(Tsp.TimestampBits);
        var reference = new FrozenClock(1_000_000);
        var yearsAhead = new GuessClock(new FrozenClock(1_000_000 + 40_000_000_000_000), ring, reference, reach: 500);
        var yearsBehind = new GuessClock(new FrozenClock(3), ring, reference, reach: 500);

        Assert.Equal(1_000_500UL, yearsAhead.Next());
        Assert.Equal(999_500UL, yearsBehind.Next());
    }

    [Fact]
    public void A_timestamp_seen_far_ahead_of_the_reference_does_not_move_the_floor()
    {
        var ring = new TimestampRing(Tsp.TimestampBits);
        var clock = new GuessClock(null, ring, new FrozenClock(1_000), reach: 100);
        clock.Observe(1_050);
        Assert.Equal(1_051UL, clock.Next());

        clock.Observe(90_000_000);
        Assert.Equal(1_052UL, clock.Next());

        // A write must still beat a word it met, however far ahead.
        Assert.Equal(90_000_001UL, clock.NextAtLeast(90_000_001));
    }

    [Fact]
    public void Guesses_wrap_with_the_ring()
    {
        var ring = new TimestampRing(20);
        var clock = new GuessClock(new FrozenClock((1UL << 20) + 5), ring);
        Assert.Equal(5UL, clock.Next());
        Assert.Equal(6UL, clock.Next());
    }

    /// <summary>Regression (fault simulation, seed 771 on the ring branch): a wall clock set back by a few ms made the floor look ancient, and a writer's next timestamp went below its last.</summary>
    [Fact]
    public void A_reference_clock_that_steps_back_keeps_guesses_increasing()
    {
        var ring = new TimestampRing(24);
        var reference = new SettableClock { Now = 200_000 };
        var clock = new GuessClock(new FrozenClock(1), ring, reference, reach: 60_000);
        var first = clock.Next();

        reference.Now = 193_000;
        var second = clock.Next();

        Assert.True(ring.Distance(first, second) > 0, $"{first} then {second}");
    }

    private sealed class SettableClock : ISwarmClock
    {
        public ulong Now { get; set; }

        ulong ISwarmClock.Now() => Now;
    }
}
