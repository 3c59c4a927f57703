namespace Grid.Replication.Swarm;

/// <summary>
/// Units of <see cref="SwarmOptions.TimestampUnit"/> since the cluster epoch, counted modulo
/// 2^64 (and so on the timestamp ring): a clock before the epoch, or an epoch a wrong clock set
/// years off, gives timestamps in the same order as any other (README, "Timestamps that never run out").
/// </summary>
public sealed class SystemSwarmClock : ISwarmClock
{
    private readonly TimeProvider _time;
    private readonly long _epochTicks;
    private readonly long _unitTicks;

    public SystemSwarmClock(TimeProvider time, DateTimeOffset epoch, TimeSpan unit)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(unit, TimeSpan.Zero);
        _time = time;
        _epochTicks = epoch.UtcTicks;
        _unitTicks = unit.Ticks;
    }

    public ulong Now()
    {
        var elapsed = _time.GetUtcNow().UtcTicks - _epochTicks;
        return unchecked((ulong)Math.DivRem(elapsed, _unitTicks, out var rest) - (rest < 0 ? 1UL : 0UL));
    }
}
