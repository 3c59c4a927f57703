namespace Grid.RdmaTransport;

/// <summary>
/// The target's side of a batch deadline (<see cref="VerbBatch.NotAfter"/>): a batch runs only
/// while the target's clock has not passed the deadline by more than the clock-skew allowance,
/// and is refused when its deadline lies further ahead than the longest lifetime a batch may ask
/// for (the sender's clock is wrong). So a batch executes inside a window of bounded width on
/// the target's clock, or never: a protocol can bound how late a delayed or zombie batch lands
/// (Replication/Grid.Replication/Swarm/README.md, "Time bounds"). Both fabrics use this check.
/// </summary>
public readonly record struct BatchDeadline(TimeSpan ClockSkewAllowance, TimeSpan MaxLifetime)
{
    /// <summary>Defaults for both fabrics: clocks within 500 ms, batches live at most 10 s.</summary>
    public static BatchDeadline Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

    /// <summary>Null when the batch may run at <paramref name="now"/>, else why it may not.</summary>
    public string? Refusal(DateTimeOffset? notAfter, DateTimeOffset now)
    {
        if (notAfter is not { } deadline)
        {
            return null;
        }

        if (now > deadline + ClockSkewAllowance)
        {
            return $"the batch arrived {(now - deadline).TotalMilliseconds:0} ms after its deadline " +
                $"(allowance {ClockSkewAllowance.TotalMilliseconds:0} ms): it was delayed, or the sender's clock is behind";
        }

        if (deadline > now + MaxLifetime + ClockSkewAllowance)
        {
            return $"the batch's deadline lies {(deadline - now).TotalMilliseconds:0} ms ahead, beyond the " +
                $"{MaxLifetime.TotalMilliseconds:0} ms a batch may live: the sender's clock is ahead of this node's";
        }

        return null;
    }

    public void Validate()
    {
        if (ClockSkewAllowance < TimeSpan.Zero || ClockSkewAllowance > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkewAllowance), ClockSkewAllowance, "must be from 0 to 10 minutes");
        }

        if (MaxLifetime <= TimeSpan.Zero || MaxLifetime > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLifetime), MaxLifetime, "must be > 0 and at most 10 minutes");
        }
    }
}
