namespace Grid.Cli.Bench.Grains;

/// <summary>
/// What <c>grid bench grains</c> runs: the providers (<see cref="GrainsBench.Systems"/> order),
/// the ops per row and rounds, the value size, the loops per row and where SWARM's memory nodes
/// are (<see cref="MemoryNodes"/> null: started here).
/// </summary>
internal sealed record GrainsBenchSettings(
    IReadOnlyList<string> Providers,
    BenchPlan Plan,
    int ValueBytes,
    int Concurrency,
    IReadOnlyList<string>? MemoryNodes,
    string? ClusterKeyFile,
    string? RedisServer)
{
    /// <summary>Grains per provider and kind (storage ids, call grains), the loops sharing them.</summary>
    public const int GrainPoolMax = 1_000;

    /// <summary>
    /// Set when redis was not asked for by name and <c>redis-server</c> is not on PATH: the
    /// redis rows are left out and the run says why.
    /// </summary>
    public string? RedisSkipped { get; init; }

    /// <summary>
    /// Grains per provider: no more than the measured ops need (each grain gets at least one op),
    /// at least one per loop so that loops never share a grain, at most <see cref="GrainPoolMax"/>.
    /// </summary>
    public int GrainPool => Math.Clamp(Plan.MeasuredOps, Concurrency, Math.Max(GrainPoolMax, Concurrency));
}
