using Grid.RdmaTransport;

namespace Grid.Cli.Bench;

/// <summary>
/// The memory nodes of one system's run, fresh (zeroed region 0) and owned by the bench until
/// disposed: in-process endpoints, <c>grid-memnode</c> processes started here, or running nodes
/// whose region is cleared first.
/// </summary>
internal abstract class MemoryNodeSet : IAsyncDisposable
{
    /// <summary>
    /// How late a batch may run on the bench's own nodes: the bench and its nodes share one
    /// machine's clock, so the allowance is small. Clients may assume any allowance at least this
    /// (SwarmOptions.ClockSkewAllowance); a crash run's short grace period depends on it.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMilliseconds(25);

    public abstract int Count { get; }

    /// <summary>Whether <see cref="Crash"/> works (the bench cannot kill nodes it did not start).</summary>
    public abstract bool CanCrash { get; }

    /// <summary>Opens a queue pair from <paramref name="client"/> to node <paramref name="node"/> (0-based).</summary>
    public abstract Task<QueuePair> ConnectAsync(int node, NodeId client, CancellationToken cancellationToken);

    /// <summary>Crash-stops node <paramref name="node"/>: a process gets SIGKILL.</summary>
    public abstract void Crash(int node);

    public abstract ValueTask DisposeAsync();

    /// <summary>Provides <paramref name="count"/> fresh nodes with a region 0 of <paramref name="regionBytes"/>.</summary>
    public static async Task<MemoryNodeSet> StartAsync(
        SwarmBenchSettings settings, int count, long regionBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Fabric == "inproc")
        {
            return new InProcMemoryNodes(count, regionBytes, settings.OneWayLatency);
        }

        if (settings.MemoryNodeAddresses is { } addresses)
        {
            return await ExternalMemoryNodes.StartAsync(
                addresses.Take(count).ToList(), settings.ClusterKey!, regionBytes, cancellationToken)
                .ConfigureAwait(false);
        }

        return await LocalMemoryNodeProcesses.StartAsync(count, regionBytes, cancellationToken)
            .ConfigureAwait(false);
    }
}
