namespace Grid.Replication.Swarm;

/// <summary>
/// A writer's timestamp source: the physical clock, never below what the writer has seen
/// (spec §1, clock catch-up). Seeing a timestamp moves the floor past it, so the next guess on
/// any object beats it; this is what keeps guesses fresh across writers with skewed clocks.
/// </summary>
internal sealed class GuessClock
{
    private readonly ISwarmClock _source;
    private readonly object _lock = new();
    private ulong _floor;

    public GuessClock(ISwarmClock source) => _source = source;

    /// <summary>A timestamp above every one handed out or observed so far.</summary>
    public ulong Next()
    {
        lock (_lock)
        {
            var next = NextUnlocked();
            if (next > Tsp.TimestampMax)
            {
                throw new SwarmCapacityException(
                    $"the cluster's timestamps are used up ({Tsp.TimestampBits} bits of " +
                    "SwarmOptions.TimestampUnit since its epoch); it must be formatted anew");
            }

            _floor = next;
            return next;
        }
    }

    /// <summary>At least <paramref name="minimum"/>, and above everything so far.</summary>
    public ulong NextAtLeast(ulong minimum)
    {
        Observe(minimum - 1);
        return Next();
    }

    /// <summary>The timestamp the next guess would start from, without handing it out.</summary>
    public ulong Peek()
    {
        lock (_lock)
        {
            return NextUnlocked();
        }
    }

    private ulong NextUnlocked() => Math.Max(_source.Now(), _floor + 1);

    public void Observe(ulong timestamp)
    {
        lock (_lock)
        {
            if (timestamp > _floor)
            {
                _floor = timestamp;
            }
        }
    }
}
