using System.Net;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;

namespace Grid.Cli.Bench;

/// <summary>
/// Memory nodes that run elsewhere (<c>--memnode-addresses</c>). They cannot be restarted, so
/// "fresh memory" means the part of region 0 a system uses is zeroed before its run. They
/// cannot be crashed from here either.
/// </summary>
internal sealed class ExternalMemoryNodes : MemoryNodeSet
{
    /// <summary>Zeroing writes; well under the default frame limit of a memory node.</summary>
    private const int ClearChunkBytes = 1 << 20;

    private static readonly NodeId ClearingClient = new(1);

    private readonly IReadOnlyList<IPEndPoint> _addresses;
    private readonly ClusterKey _key;

    private ExternalMemoryNodes(IReadOnlyList<IPEndPoint> addresses, ClusterKey key)
    {
        _addresses = addresses;
        _key = key;
    }

    public override int Count => _addresses.Count;

    public override bool CanCrash => false;

    /// <summary>Checks every node's region 0 and zeroes its first <paramref name="regionBytes"/>.</summary>
    public static async Task<ExternalMemoryNodes> StartAsync(
        IReadOnlyList<IPEndPoint> addresses, ClusterKey key, long regionBytes, CancellationToken cancellationToken)
    {
        var nodes = new ExternalMemoryNodes(addresses, key);
        var zeros = new byte[(int)Math.Min(ClearChunkBytes, regionBytes)];
        for (var node = 0; node < addresses.Count; node++)
        {
            var queuePair = await nodes.ConnectAsync(node, ClearingClient, cancellationToken).ConfigureAwait(false);
            await using (queuePair.ConfigureAwait(false))
            {
                var region = queuePair.RemoteRegions.FirstOrDefault(r => r.Id == 0);
                if (queuePair.RemoteRegions.All(r => r.Id != 0) || region.Length < regionBytes)
                {
                    throw new TransportException(TransportError.OutOfRange,
                        $"memory node {addresses[node]} needs a region 0 of at least " +
                        $"{(regionBytes + (1 << 20) - 1) >> 20}MiB ({regionBytes} bytes) for this run; " +
                        $"it has {region.Length} bytes (grid-memnode --size)");
                }

                for (long offset = 0; offset < regionBytes; offset += zeros.Length)
                {
                    var length = (int)Math.Min(zeros.Length, regionBytes - offset);
                    // Off the socket thread before the next post: the grid executables complete
                    // socket operations inline, and a WRITE bigger than the socket buffer posted
                    // from that thread blocks in a send that only that thread could unblock.
                    await queuePair.WriteAsync(0, (ulong)offset, zeros.AsMemory(0, length)).AsTask()
                        .ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                }
            }
        }

        return nodes;
    }

    public override async Task<QueuePair> ConnectAsync(
        int node, NodeId client, CancellationToken cancellationToken) =>
        await TcpQueuePair.ConnectAsync(
            _addresses[node], client, _key, cancellationToken: cancellationToken).ConfigureAwait(false);

    public override void Crash(int node) =>
        throw new NotSupportedException("the bench cannot crash a memory node it did not start");

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
