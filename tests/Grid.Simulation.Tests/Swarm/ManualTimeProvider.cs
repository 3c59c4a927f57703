using Microsoft.Extensions.Time.Testing;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>
/// A clock that moves only when the test moves it (timers included), so simulated runs replay
/// exactly; it starts on 2026-01-01.
/// </summary>
public sealed class ManualTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
