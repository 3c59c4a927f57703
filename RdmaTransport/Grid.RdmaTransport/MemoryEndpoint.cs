using System.Threading.Channels;

namespace Grid.RdmaTransport;

/// <summary>
/// The target side of the fabric: the memory regions a process exposes and, when it takes part
/// in two-sided messaging, its receive queue. A memory node is an endpoint with regions and no
/// receive queue; a replica has both. Endpoints run no protocol logic: verbs are applied to them
/// by a fabric (in-process or TCP listener) through <see cref="VerbExecutor"/>.
/// </summary>
public sealed class MemoryEndpoint : IDisposable
{
    private readonly object _registrationLock = new();
    private readonly Channel<ReceivedMessage>? _inbox;
    private MemoryRegion[] _regions = [];
    private bool _disposed;

    /// <param name="id">This endpoint's node id.</param>
    /// <param name="receiveQueueCapacity">
    /// How many received SENDs may wait to be taken; 0 means the endpoint accepts no SENDs.
    /// A SEND that finds the queue full fails with <see cref="TransportError.ReceiverNotReady"/>.
    /// </param>
    public MemoryEndpoint(NodeId id, int receiveQueueCapacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(receiveQueueCapacity);
        Id = id;
        if (receiveQueueCapacity > 0)
        {
            _inbox = Channel.CreateBounded<ReceivedMessage>(
                new BoundedChannelOptions(receiveQueueCapacity)
                {
                    FullMode = BoundedChannelFullMode.Wait,
                    SingleReader = false,
                    SingleWriter = false,
                });
        }
    }

    public NodeId Id { get; }

    public bool AcceptsMessages => _inbox is not null;

    public IReadOnlyList<MemoryRegion> Regions => Volatile.Read(ref _regions);

    /// <summary>Registers a zeroed region; every peer gets <paramref name="defaultRights"/>.</summary>
    public MemoryRegion RegisterRegion(long length, AccessRights defaultRights = AccessRights.All)
    {
        lock (_registrationLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var region = new MemoryRegion((uint)_regions.Length, length, defaultRights);
            Volatile.Write(ref _regions, [.. _regions, region]);
            return region;
        }
    }

    /// <summary>
    /// Registers a single-writer region: <paramref name="owner"/> may read, write and use atomics,
    /// every other peer may only read (uBFT's SWMR registers, spec ubft.md §1).
    /// </summary>
    public MemoryRegion RegisterOwnedRegion(long length, NodeId owner)
    {
        var region = RegisterRegion(length, AccessRights.RemoteRead);
        region.SetRights(owner, AccessRights.All);
        return region;
    }

    public bool TryGetRegion(uint id, out MemoryRegion region)
    {
        var regions = Volatile.Read(ref _regions);
        if (id < (uint)regions.Length)
        {
            region = regions[id];
            return true;
        }

        region = null!;
        return false;
    }

    /// <summary>The region table as a given peer sees it (its rights now).</summary>
    public RegionInfo[] DescribeRegionsFor(NodeId peer)
    {
        var regions = Volatile.Read(ref _regions);
        var infos = new RegionInfo[regions.Length];
        for (var i = 0; i < regions.Length; i++)
        {
            infos[i] = new RegionInfo(regions[i].Id, regions[i].Length, regions[i].RightsOf(peer));
        }

        return infos;
    }

    /// <summary>Takes the next received message, waiting for one.</summary>
    public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_inbox is null)
        {
            throw new InvalidOperationException(
                $"endpoint {Id} was created with no receive queue; it accepts no messages");
        }

        return _inbox.Reader.ReadAsync(cancellationToken);
    }

    public bool TryReceive(out ReceivedMessage message)
    {
        message = default;
        return _inbox is not null && _inbox.Reader.TryRead(out message);
    }

    internal TransportError Deliver(NodeId from, ReadOnlySpan<byte> payload)
    {
        if (_inbox is null)
        {
            return TransportError.NotSupported;
        }

        return _inbox.Writer.TryWrite(new ReceivedMessage(from, payload.ToArray()))
            ? TransportError.None
            : TransportError.ReceiverNotReady;
    }

    public void Dispose()
    {
        lock (_registrationLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _inbox?.Writer.TryComplete();
            foreach (var region in _regions)
            {
                region.Free();
            }

            _regions = [];
        }
    }
}
