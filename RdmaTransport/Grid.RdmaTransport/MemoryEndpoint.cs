using System.Threading.Channels;
using Grid.RdmaTransport.Storage;

namespace Grid.RdmaTransport;

/// <summary>
/// The target side of the fabric: the memory regions a process exposes and, when it takes part
/// in two-sided messaging, its receive queue. A memory node is an endpoint with regions and no
/// receive queue; a replica has both. Endpoints run no protocol logic: verbs are applied to them
/// by a fabric (in-process or TCP listener) through <see cref="VerbExecutor"/>.
/// <para>
/// Every endpoint has an <see cref="Identity"/>: its cluster and the incarnation of its memory,
/// which clients see when they connect. Its regions are zeroed memory of its own, or the regions
/// of a data file, whose layout and identity the file fixes.
/// </para>
/// </summary>
public sealed class MemoryEndpoint : IDisposable
{
    private readonly object _registrationLock = new();
    private readonly Channel<ReceivedMessage>? _inbox;
    private readonly MemoryNodeDataFile? _dataFile;
    private MemoryRegion[] _regions = [];
    private Life _life;
    private bool _disposed;

    /// <param name="id">This endpoint's node id.</param>
    /// <param name="receiveQueueCapacity">
    /// How many received SENDs may wait to be taken; 0 means the endpoint accepts no SENDs.
    /// A SEND that finds the queue full fails with <see cref="TransportError.ReceiverNotReady"/>.
    /// </param>
    /// <param name="clusterId">The cluster of its <see cref="Identity"/>; the incarnation is fresh.</param>
    public MemoryEndpoint(
        NodeId id, int receiveQueueCapacity = 0, string clusterId = MemoryNodeIdentity.DefaultClusterId)
        : this(id, receiveQueueCapacity, MemoryNodeIdentity.Fresh(clusterId))
    {
    }

    /// <summary>
    /// A memory node whose regions live in <paramref name="dataFile"/>: it has the file's identity,
    /// and its registrations must follow the file's layout (region 0, then the owned regions).
    /// The caller disposes the file after this endpoint.
    /// </summary>
    internal MemoryEndpoint(MemoryNodeDataFile dataFile)
        : this(dataFile.Header.NodeId, 0, dataFile.Identity)
    {
        _dataFile = dataFile;
    }

    private MemoryEndpoint(NodeId id, int receiveQueueCapacity, MemoryNodeIdentity identity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(receiveQueueCapacity);
        Id = id;
        _life = new Life(identity);
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

    /// <summary>This endpoint's cluster and the incarnation of the memory it serves now.</summary>
    public MemoryNodeIdentity Identity => Volatile.Read(ref _life).Identity;

    /// <summary>
    /// The current life of the endpoint's process: replaced at every <see cref="Restart"/>, so a
    /// connection that remembers the life it opened in can tell it outlived it.
    /// </summary>
    internal Life CurrentLife => Volatile.Read(ref _life);

    public bool AcceptsMessages => _inbox is not null;

    public IReadOnlyList<MemoryRegion> Regions => Volatile.Read(ref _regions);

    /// <summary>Registers a zeroed region; every peer gets <paramref name="defaultRights"/>.</summary>
    public MemoryRegion RegisterRegion(long length, AccessRights defaultRights = AccessRights.All)
    {
        lock (_registrationLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var id = (uint)_regions.Length;
            var region = new MemoryRegion(id, length, defaultRights, MappedMemoryFor(id, length));
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

    /// <summary>
    /// The endpoint's process restarts (in-process fabric faults): queued messages are lost with
    /// it, and with <paramref name="keepMemory"/> false every region comes back zeroed under a
    /// new incarnation, as a volatile node finds its memory after a restart. With it true the
    /// bytes and the incarnation stay, as a node with a data file. Rights stay as they are.
    /// Connections opened before see the restart through <see cref="CurrentLife"/>.
    /// </summary>
    internal void Restart(bool keepMemory)
    {
        lock (_registrationLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_dataFile is not null)
            {
                throw new InvalidOperationException(
                    $"{Id} serves a data file: restart it as a process (stop it, open the file again)");
            }

            // The life goes first: an op that checks it after this line fails as stale instead
            // of touching the memory that is about to be wiped.
            var identity = keepMemory ? _life.Identity : MemoryNodeIdentity.Fresh(_life.Identity.ClusterId);
            Volatile.Write(ref _life, new Life(identity));
            while (_inbox is not null && _inbox.Reader.TryRead(out _))
            {
            }

            if (!keepMemory)
            {
                foreach (var region in _regions)
                {
                    region.Wipe();
                }
            }
        }
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

    /// <summary>
    /// The data file's memory for the region being registered (zero without a data file). A
    /// registration the file's layout does not have is a programming error, not bad input: the
    /// file was checked against the same options the regions are registered from.
    /// </summary>
    private nint MappedMemoryFor(uint id, long length)
    {
        if (_dataFile is null)
        {
            return 0;
        }

        var header = _dataFile.Header;
        if (id >= header.RegionCount || header.RegionLength((int)id) != length)
        {
            throw new InvalidOperationException(
                $"region {id} of {length} bytes is not in the layout of data file {_dataFile.Path} " +
                $"({header.DescribeLayout()})");
        }

        return _dataFile.RegionMemory((int)id);
    }

    /// <summary>One life of the endpoint's process, from its start or restart to the next one.</summary>
    internal sealed class Life(MemoryNodeIdentity identity)
    {
        public MemoryNodeIdentity Identity { get; } = identity;
    }
}
