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
    /// Opens one <see cref="ReconnectingQueuePair"/> per memory node from
    /// <paramref name="client"/>, in a fixed order. Each redials its node when the connection
    /// fails and uses it again only with the same memory (README, "Memory nodes that come back").
    /// A majority must answer the first attempt, or this throws
    /// <see cref="MemoryNodeUnavailableException"/> naming each node's failure; the others start
    /// out reconnecting.
    /// </summary>
    Task<IReadOnlyList<ReconnectingQueuePair>> ConnectAsync(
        NodeId client, MemoryNodeConnectOptions options, CancellationToken cancellationToken);

    /// <summary>Each node's name (its address), in connection order.</summary>
    IReadOnlyList<string> Names { get; }
}
