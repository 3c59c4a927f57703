namespace Grid.Simulation.Tests.Swarm;

/// <summary>The seeds a simulation sweep runs: GRID_SEED replays one, GRID_SEEDS sets how many.</summary>
internal static class SimulationSeeds
{
    public static IReadOnlyList<int> Get(int defaultCount)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("GRID_SEED"), out var seed))
        {
            return [seed];
        }

        var count = int.TryParse(Environment.GetEnvironmentVariable("GRID_SEEDS"), out var n) ? n : defaultCount;
        return Enumerable.Range(0, count).ToList();
    }
}
