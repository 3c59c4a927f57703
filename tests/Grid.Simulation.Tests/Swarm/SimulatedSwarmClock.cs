using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// A guess clock driven by the simulation's step count, with a per-client skew: clients with
/// skewed clocks make stale guesses, which drives the write's withdraw/pin/retry paths. The
/// skew may change at any time, forwards or backwards (Safe-Guess must not depend on it).
/// </summary>
public sealed class SimulatedSwarmClock(Func<long> steps, long skew) : ISwarmClock
{
    public long Skew { get; set; } = skew;

    public ulong Now() => (ulong)Math.Max(1, steps() / 4 + Skew);
}
