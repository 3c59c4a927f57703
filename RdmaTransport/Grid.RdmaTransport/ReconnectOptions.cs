namespace Grid.RdmaTransport;

/// <summary>
/// How a <see cref="ReconnectingQueuePair"/> redials a connection that failed, and when it may
/// use the new one; see <see cref="Validate"/>.
/// </summary>
public sealed class ReconnectOptions
{
    /// <summary>Longest <see cref="MaxDelay"/> and <see cref="ClockSkewAllowance"/> accepted.</summary>
    public static readonly TimeSpan LimitMax = TimeSpan.FromMinutes(10);

    /// <summary>The wait before the first redial; it doubles with every failed attempt.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two attempts, and the interval at which a refused node is probed.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The share of each wait drawn away at random (0: none, 0.5: a wait lies between half and
    /// all of the back-off), so that many clients of one node do not redial in step.
    /// </summary>
    public double Jitter { get; set; } = 0.5;

    /// <summary>
    /// Seeds the jitter; null draws a seed. With a seed and a fake <see cref="TimeProvider"/> a
    /// reconnect replays exactly.
    /// </summary>
    public int? JitterSeed { get; set; }

    /// <summary>
    /// How far clocks may differ (S): at least the memory nodes' allowance (<c>grid-memnode
    /// --clock-skew</c>, <see cref="BatchDeadline.ClockSkewAllowance"/>). A new connection is used
    /// only once this clock has passed the old connection's latest deadline by 2 S, when no node
    /// can run a batch of the old connection any more.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; set; } = BatchDeadline.Default.ClockSkewAllowance;

    /// <summary>
    /// The deadline given to a batch posted without one (now + this): without a deadline a batch
    /// of a dead connection could land at any time, and the new one could never be used safely.
    /// At most <see cref="BatchDeadline.MaxLifetime"/> of the default, which nodes accept.
    /// </summary>
    public TimeSpan UndatedBatchLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of back-off timers and deadlines.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A copy to adjust (a source raises the skew allowance to its own nodes').</summary>
    public ReconnectOptions Clone() => (ReconnectOptions)MemberwiseClone();

    public void Validate()
    {
        if (InitialDelay <= TimeSpan.Zero || InitialDelay > LimitMax)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialDelay), InitialDelay, "must be > 0 and at most 10 minutes");
        }

        if (MaxDelay < InitialDelay || MaxDelay > LimitMax)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "must be from InitialDelay to 10 minutes");
        }

        if (double.IsNaN(Jitter) || Jitter is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "must be in [0, 1)");
        }

        if (ClockSkewAllowance < TimeSpan.Zero || ClockSkewAllowance > LimitMax)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ClockSkewAllowance), ClockSkewAllowance, "must be from 0 to 10 minutes");
        }

        var lifetimeMax = BatchDeadline.Default.MaxLifetime;
        if (UndatedBatchLifetime <= TimeSpan.Zero || UndatedBatchLifetime > lifetimeMax)
        {
            throw new ArgumentOutOfRangeException(nameof(UndatedBatchLifetime), UndatedBatchLifetime,
                $"must be > 0 and at most {lifetimeMax.TotalSeconds:0} s, the longest lifetime memory nodes accept");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
