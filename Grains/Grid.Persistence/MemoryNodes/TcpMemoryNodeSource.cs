using System.Net;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// <c>grid-memnode</c> processes reached over TCP with the cluster key. Every node must export a
/// region 0 at least as large as the layout needs (<c>grid-memnode --size</c>); a node that is
/// down at connect time counts as crashed, which SWARM tolerates for a minority.
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

    public async Task<IReadOnlyList<QueuePair>> ConnectAsync(
        NodeId client, long regionBytes, CancellationToken cancellationToken)
    {
        var pairs = new QueuePair?[_addresses.Count];
        var errors = new string?[_addresses.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, _addresses.Count), cancellationToken, async (i, ct) =>
        {
            try
            {
                var pair = await TcpQueuePair.ConnectAsync(_addresses[i], client, _key, _transport, ct)
                    .ConfigureAwait(false);
                var region = pair.RemoteRegions.FirstOrDefault(r => r.Id == 0);
                if (pair.RemoteRegions.All(r => r.Id != 0) || region.Length < regionBytes)
                {
                    await pair.DisposeAsync().ConfigureAwait(false);
                    throw new InvalidOperationException(
                        $"memory node {_addresses[i]} exports a region 0 of {region.Length} bytes; the SWARM " +
                        $"layout needs {regionBytes} bytes (start it with grid-memnode --size {ByteSize.Format(RoundUpMiB(regionBytes))})");
                }

                pairs[i] = pair;
            }
            catch (Exception ex) when (ex is TransportException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                errors[i] = ex.Message;
            }
        }).ConfigureAwait(false);

        var ids = Enumerable.Range(0, _addresses.Count).Select(i => new NodeId(EmbeddedMemoryNodes.FirstNodeId + (uint)i)).ToList();
        return await MemoryNodeQuorum.RequireAsync(
            pairs, errors, Names, client, ids).ConfigureAwait(false);
    }

    private static long RoundUpMiB(long bytes) => (bytes + (1L << 20) - 1) & ~((1L << 20) - 1);
}
