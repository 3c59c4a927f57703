namespace Grid.Persistence.Tests;

/// <summary>
/// Tests that run <c>grid-memnode</c> processes and silos, or several silos with recovery scans,
/// on two cores: alone, after the others, so that their load does not stall the in-process tests'
/// batches past their deadlines (SWARM's 1 s batch lifetime).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryNodeProcessesCollection
{
    public const string Name = "memory-node-processes";
}
