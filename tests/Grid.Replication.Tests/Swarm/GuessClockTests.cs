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
        var clock = new GuessClock(new FrozenClock(10));

        Assert.Equal(10UL, clock.Next());
        Assert.Equal(11UL, clock.Next());
        Assert.Equal(12UL, clock.Next());
    }

    [Fact]
    public void Observing_a_later_timestamp_makes_the_next_guess_beat_it()
    {
        var clock = new GuessClock(new FrozenClock(10));
        clock.Observe(500);

        Assert.Equal(501UL, clock.Next());
        Assert.Equal(900UL, clock.NextAtLeast(900));
    }

    [Fact]
    public void Running_out_of_timestamps_is_a_clear_error()
    {
        var clock = new GuessClock(new FrozenClock(Tsp.TimestampMax));
        clock.Next();

        var error = Assert.Throws<SwarmCapacityException>(() => clock.Next());
        Assert.Contains("formatted anew", error.Message, StringComparison.Ordinal);
    }
}
