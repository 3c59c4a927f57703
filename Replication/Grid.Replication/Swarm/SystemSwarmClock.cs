namespace Grid.Replication.Swarm;

/// <summary>Units of <see cref="SwarmOptions.TimestampUnit"/> elapsed since the cluster epoch.</summary>
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
        return elapsed <= 0 ? 1 : (ulong)(elapsed / _unitTicks) + 1;
    }
}
