namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// One host's view of the simulation's true time: its wall clock is off by
/// <see cref="Offset"/>, which the simulation moves (skew and small jumps, within the
/// allowance the protocol is configured for), while timers and the monotonic timestamp follow
/// true time (clock rates are not skewed; see the README's list of what the simulation does
/// not explore).
/// </summary>
internal sealed class SkewedTimeProvider(TimeProvider truth, TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset { get; set; } = offset;

    public override DateTimeOffset GetUtcNow() => truth.GetUtcNow() + Offset;

    public override long GetTimestamp() => truth.GetTimestamp();

    public override long TimestampFrequency => truth.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        truth.CreateTimer(callback, state, dueTime, period);
}
