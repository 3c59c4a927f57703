namespace Grid.Cli.Tests.Bench;

/// <summary>
/// Bench runs that crash a memory node run with 100 ms batch lifetimes (SwarmKvSystem): a batch
/// that waits longer for a CPU expires and closes its connection, so these runs do not share the
/// machine with the assembly's other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashBenchCollection
{
    public const string Name = "crash benches";
}
