namespace Grid.Replication.Swarm;

/// <summary>
/// A writer's timestamp source: the guess clock, never below what the writer has seen (spec §1,
/// clock catch-up). Seeing a timestamp moves the floor past it, so the next guess on any object
/// beats it; this is what keeps guesses fresh across writers with skewed clocks.
/// Timestamps wrap (<see cref="TimestampRing"/>), which is safe only while every word stays near
/// the present; so a guess is held within <c>reach</c> of the reference clock (the clock batch
/// deadlines are judged by, which the memory nodes hold to the skew allowance), and a timestamp
/// seen further ahead does not move the floor. A guess clock that is years off then costs
/// stale guesses (spec §1), never words far from the present (README, "Timestamps that never run out").
/// </summary>
internal sealed class GuessClock
{
    private readonly ISwarmClock? _source;
    private ISwarmClock? _reference;
    private readonly TimestampRing _ring;
    private readonly ulong _reach;
    private readonly object _lock = new();
    private ulong _floor;
    private ulong _floorAt;
    private bool _hasFloor;

    /// <param name="source">The guess clock, in units; null guesses from the reference itself.</param>
    /// <param name="ring">The ring timestamps live on.</param>
    /// <param name="reference">The deadline clock in the same units; null leaves guesses unbounded (tests of the guess logic alone).</param>
    /// <param name="reach">How far from the reference a guess, or a timestamp that moves the floor, may be.</param>
    public GuessClock(ISwarmClock? source, TimestampRing ring, ISwarmClock? reference = null, ulong reach = 0)
    {
        if (source is null && reference is null)
        {
            throw new ArgumentException("a guess clock needs a source or a reference");
        }

        _source = source;
        _ring = ring;
        _reference = reference;
        _reach = Math.Max(1, Math.Min(reach, ring.RefreshAge / 4));
    }

    /// <summary>A timestamp above every one handed out or observed so far.</summary>
    public ulong Next()
    {
        lock (_lock)
        {
            var next = NextUnlocked();
            SetFloor(next);
            return next;
        }
    }

    /// <summary>At least <paramref name="minimum"/>, and above everything so far.</summary>
    public ulong NextAtLeast(ulong minimum)
    {
        lock (_lock)
        {
            var next = NextUnlocked();
            if (_ring.Distance(next, minimum) > 0)
            {
                next = minimum;
            }

            SetFloor(next);
            return next;
        }
    }

    /// <summary>
    /// Follows a moved epoch (a rebase, README "Timestamps that never run out"): guesses from
    /// now on are near the new reference, and what was seen in the old frame is forgotten.
    /// </summary>
    public void SetReference(ISwarmClock reference)
    {
        lock (_lock)
        {
            _reference = reference;
            _hasFloor = false;
        }
    }

    /// <summary>Observes a word's timestamp; 0 (never written) says nothing.</summary>
    public void ObserveWord(ulong word)
    {
        if (word != 0)
        {
            Observe(Tsp.Timestamp(word));
        }
    }

    public void Observe(ulong timestamp)
    {
        lock (_lock)
        {
            if (_reference is not null && _ring.Distance(_ring.Wrap(_reference.Now()), timestamp) > (long)_reach)
            {
                return;
            }

            if (!_hasFloor || FloorTooOld() || _ring.Distance(_floor, timestamp) > 0)
            {
                SetFloor(timestamp);
            }
        }
    }

    private void SetFloor(ulong timestamp)
    {
        _floor = timestamp;
        _floorAt = _reference?.Now() ?? 0;
        _hasFloor = true;
    }

    /// <summary>
    /// A floor set longer ago than the refresh age (by the reference's unwrapped count) may have
    /// wrapped past the present: forget it. Signed: a reference that stepped back (a wall clock
    /// corrected by a few ms) makes the floor look younger, never ancient.
    /// </summary>
    private bool FloorTooOld() =>
        _reference is not null && unchecked((long)(_reference.Now() - _floorAt)) > (long)_ring.RefreshAge;

    private ulong NextUnlocked()
    {
        var now = _ring.Wrap((_source ?? _reference!).Now());
        if (_reference is not null)
        {
            var reference = _ring.Wrap(_reference.Now());
            var ahead = _ring.Distance(reference, now);
            if (ahead > (long)_reach)
            {
                now = _ring.Add(reference, _reach);
            }
            else if (ahead < -(long)_reach)
            {
                now = _ring.Subtract(reference, _reach);
            }
        }

        // A floor at or ahead of the clock is what the writer last handed out or saw: beat it.
        // One far behind (an idle writer) or implausibly far ahead says nothing about the present.
        if (_hasFloor && !FloorTooOld() && _ring.Distance(now, _floor) is var ahead2 && ahead2 >= 0 && (ulong)ahead2 < _ring.RefreshAge)
        {
            return _ring.Add(_floor, 1);
        }

        return now;
    }
}
