using System.Net;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// <c>grid-memnode</c> processes reached over TCP with the cluster key. Every node must export a
/// region 0 at least as large as the layout needs (<c>grid-memnode --size</c>). A minority may be
/// down at connect time: those nodes count as crashed until they answer, and every node whose
/// connection fails is redialed (<see cref="ReconnectingQueuePair"/>).
/// </summary>
public sealed class TcpMemoryNodeSource : IMemoryNodeSource
{
    private readonly IReadOnlyList<IPEndPoint> _addresses;
    private readonly ClusterKey _key;
    private readonly TcpTransportOptions _transport;

    public TcpMemoryNodeSource(IReadOnlyList<IPEndPoint> addresses, ClusterKey key, TcpTransportOptions? transport = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(key);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("at least one memory node address is needed", nameof(addresses));
        }

        _addresses = addresses;
        _key = key;
        _transport = transport ?? new TcpTransportOptions();
        Names = addresses.Select(a => a.ToString()).ToArray();
    }

    public int Count => _addresses.Count;

    public IReadOnlyList<string> Names { get; }

    public string Describe() => $"{_addresses.Count} TCP memory nodes ({string.Join(", ", _addresses)})";

    public Task<IReadOnlyList<ReconnectingQueuePair>> ConnectAsync(
        NodeId client, MemoryNodeConnectOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ids = Enumerable.Range(0, _addresses.Count).Select(i => new NodeId(EmbeddedMemoryNodes.FirstNodeId + (uint)i)).ToList();
        var dialers = Enumerable.Range(0, _addresses.Count)
            .Select(i => (QueuePairDialer)(ct => DialAsync(_addresses[i], client, options.RegionBytes, ct)))
            .ToList();
        return MemoryNodeConnector.ConnectAsync(client, Names, ids, dialers, options, cancellationToken);
    }

    /// <summary>
    /// One connection: TCP connect, the authenticated handshake, and a check of region 0 (a node
    /// started with too small a <c>--size</c> is refused with the size to use).
    /// </summary>
    private async Task<QueuePair> DialAsync(IPEndPoint address, NodeId client, long regionBytes, CancellationToken cancellationToken)
    {
        var pair = await TcpQueuePair.ConnectAsync(address, client, _key, _transport, cancellationToken).ConfigureAwait(false);
        var region = pair.RemoteRegions.FirstOrDefault(r => r.Id == 0);
        if (pair.RemoteRegions.All(r => r.Id != 0) || region.Length < regionBytes)
        {
            await pair.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"memory node {address} exports a region 0 of {region.Length} bytes; the SWARM " +
                $"layout needs {regionBytes} bytes (start it with grid-memnode --size {ByteSize.Format(RoundUpMiB(regionBytes))})");
        }

        return pair;
    }

    private static long RoundUpMiB(long bytes) => (bytes + (1L << 20) - 1) & ~((1L << 20) - 1);
}
