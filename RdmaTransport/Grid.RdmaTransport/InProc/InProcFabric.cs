using System.Collections.Concurrent;

namespace Grid.RdmaTransport.InProc;

/// <summary>
/// A fabric whose endpoints all live in this process: the embedded grid and the tests run on it.
/// It honours the whole transport contract (rights, per-queue-pair order, atomics, SEND) and adds
/// a latency model, injected faults (<see cref="Faults"/>), forced torn WRITEs and a pluggable
/// scheduler for deterministic runs.
/// </summary>
public sealed class InProcFabric : IDisposable
{
    private readonly ConcurrentDictionary<NodeId, MemoryEndpoint> _endpoints = new();
    private readonly IFabricScheduler _scheduler;

    public InProcFabric(InProcFabricOptions? options = null)
    {
        Options = options ?? new InProcFabricOptions();
        Options.Validate();
        Faults = new FabricFaults(this);
        _scheduler = Options.Scheduler
            ?? new RealTimeScheduler(Options.OperationTimeout, Options.TimeProvider);
    }

    public InProcFabricOptions Options { get; }

    public FabricFaults Faults { get; }

    /// <summary>
    /// Creates the endpoint of a node (see <see cref="MemoryEndpoint"/>), in the fabric's cluster
    /// (<see cref="InProcFabricOptions.ClusterId"/>) with a fresh incarnation.
    /// </summary>
    public MemoryEndpoint AddEndpoint(NodeId id, int receiveQueueCapacity = 0)
    {
        var endpoint = new MemoryEndpoint(id, receiveQueueCapacity, Options.ClusterId);
        if (!_endpoints.TryAdd(id, endpoint))
        {
            endpoint.Dispose();
            throw new InvalidOperationException($"{id} already has an endpoint on this fabric");
        }

        return endpoint;
    }

    public MemoryEndpoint GetEndpoint(NodeId id) =>
        _endpoints.TryGetValue(id, out var endpoint)
            ? endpoint
            : throw new InvalidOperationException($"{id} has no endpoint on this fabric");

    /// <summary>
    /// Opens a queue pair from <paramref name="local"/> (any node id: an initiator needs no
    /// endpoint) to the endpoint of <paramref name="remote"/>. To a crashed node it returns an
    /// <see cref="UnreachableQueuePair"/>, as a connection attempt to a dead host fails.
    /// </summary>
    public QueuePair Connect(NodeId local, NodeId remote)
    {
        if (!_endpoints.TryGetValue(remote, out var target))
        {
            throw new TransportException(
                TransportError.PeerUnreachable, $"{remote} has no endpoint on this fabric");
        }

        if (Faults.IsCrashed(remote))
        {
            return new UnreachableQueuePair(local, remote, $"{remote} has crashed");
        }

        return new InProcQueuePair(this, local, target);
    }

    public void Dispose()
    {
        _scheduler.Dispose();
        foreach (var endpoint in _endpoints.Values)
        {
            endpoint.Dispose();
        }

        _endpoints.Clear();
    }

    internal void Dispatch(InProcQueuePair queuePair, VerbBatch batch)
    {
        var from = queuePair.LocalNode;
        var to = queuePair.RemoteNode;
        if (Faults.IsCrashed(from))
        {
            queuePair.CompleteFlight(batch, TransportError.ConnectionClosed, -1,
                $"{from} has crashed: it can post nothing");
            return;
        }

        var flight = new InFlightBatch(
            queuePair,
            batch,
            queuePair.Target,
            Faults,
            Options.TornWriteChunkBytes,
            Options.TimeProvider,
            Options.Deadlines,
            requestDropped: Faults.IsDropped(from, to),
            responseDropped: Faults.IsDropped(to, from),
            oneWayDelay: OneWayDelay(from, to, batch));
        if (!Faults.TryHold(flight))
        {
            _scheduler.Schedule(flight);
        }
    }

    /// <summary>Hands a flight to the scheduler (a held one, on release).</summary>
    internal void Schedule(InFlightBatch flight) => _scheduler.Schedule(flight);

    private TimeSpan OneWayDelay(NodeId from, NodeId to, VerbBatch batch)
    {
        var delay = Options.OneWayLatency + Faults.ExtraDelay(from, to);
        if (Options.BandwidthBytesPerSecond > 0)
        {
            var bytes = batch.OutboundBytes + batch.InboundBytes;
            delay += TimeSpan.FromSeconds((double)bytes / Options.BandwidthBytesPerSecond);
        }

        return delay;
    }
}
