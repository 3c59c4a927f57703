using Grid.RdmaTransport;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// Where a silo's replication clients find their memory nodes: TCP <c>grid-memnode</c>
/// processes (<see cref="TcpMemoryNodeSource"/>) or nodes inside this process
/// (<see cref="EmbeddedMemoryNodes"/>, the embedded default).
/// </summary>
public interface IMemoryNodeSource
{
    /// <summary>How many memory nodes there are (2f+1).</summary>
    int Count { get; }

    /// <summary>A one-line description for logs and the health endpoint.</summary>
    string Describe();

    /// <summary>
    /// Opens one queue pair per memory node from <paramref name="client"/>, in a fixed order. A
    /// node that cannot be reached is represented by an <see cref="UnreachableQueuePair"/>, as
    /// long as a majority is reached; otherwise this throws.
    /// </summary>
    /// <param name="regionBytes">The size of region 0 the caller's layout needs on every node.</param>
    Task<IReadOnlyList<QueuePair>> ConnectAsync(NodeId client, long regionBytes, CancellationToken cancellationToken);

    /// <summary>Each node's name (its address), in connection order.</summary>
    IReadOnlyList<string> Names { get; }
}
