namespace Grid.EndToEnd.Tests;

/// <summary>
/// Tests that run a whole grid as processes (memory nodes, silos, the CLI) and kill parts of it
/// on two cores: alone, after the other tests, so that neither slows the other's batches past
/// SWARM's deadlines nor stretches the recovery times they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessesCollection
{
    public const string Name = "grid-processes";
}
