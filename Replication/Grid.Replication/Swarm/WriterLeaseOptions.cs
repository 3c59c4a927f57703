namespace Grid.Replication.Swarm;

/// <summary>
/// Timing of writer-id leases (<see cref="WriterLease"/>). Leases make ids easy to hand out; they
/// are not what keeps two clients from writing with one id at once: the incarnation check of
/// every write does that, whatever the clocks say (README, "Writer ids").
/// </summary>
public sealed class WriterLeaseOptions
{
    /// <summary>
    /// How long a lease lasts past its last renewal, at least: the word keeps whole seconds, and
    /// the expiry is rounded up to one.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a holder renews; at most a third of <see cref="Duration"/>, so a lease sees two
    /// renewals before it runs out and survives one that fails.
    /// </summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far clients' clocks may disagree: a lease counts as expired only this long after its
    /// expiry, so a client whose clock runs ahead does not take a live holder's id.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rounds of read-then-CAS an acquisition tries when other clients race it for the same ids.</summary>
    public int AcquireAttempts { get; set; } = 16;

    public void Validate()
    {
        if (Duration < TimeSpan.FromSeconds(3) || Duration > TimeSpan.FromDays(1) || Duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, "must be whole seconds from 3 s to 1 day");
        }

        if (RenewInterval <= TimeSpan.Zero || RenewInterval > Duration / 3)
        {
            throw new ArgumentOutOfRangeException(nameof(RenewInterval), RenewInterval,
                $"must be > 0 and at most a third of Duration ({Duration / 3})");
        }

        if (ClockSkewAllowance < TimeSpan.Zero || ClockSkewAllowance > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkewAllowance), ClockSkewAllowance, "must be from 0 to 1 hour");
        }

        if (AcquireAttempts is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(AcquireAttempts), AcquireAttempts, "must be in [1, 1000]");
        }
    }
}
