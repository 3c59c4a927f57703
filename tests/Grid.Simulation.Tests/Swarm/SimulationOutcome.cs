using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm;

/// <summary>The verdict of one seeded run, with what is needed to replay it.</summary>
public sealed record SimulationOutcome(
    int Seed, bool Passed, string Settings, string Details, int Operations, IReadOnlyList<SwarmClientCounters> Counters)
{
    /// <summary>The test class whose filter replays the seed.</summary>
    public string Suite { get; init; } = "SafeGuessSimulationTests";

    /// <summary>The paths a fault-simulation run reached (null for other runs).</summary>
    public Faults.SimulationCoverage? Coverage { get; init; }

    public static SimulationOutcome Pass(int seed, string settings, int operations, IReadOnlyList<SwarmClientCounters> counters) =>
        new(seed, true, settings, "", operations, counters);

    public static SimulationOutcome Fail(int seed, string settings, string details) =>
        new(seed, false, settings, details, 0, []);

    public override string ToString() =>
        $"GRID_SEED={Seed} ({Settings}): {(Passed ? "passed" : "FAILED")}\n{Details}\n" +
        $"replay: GRID_SEED={Seed} dotnet test tests/Grid.Simulation.Tests --filter FullyQualifiedName~{Suite}";
}
