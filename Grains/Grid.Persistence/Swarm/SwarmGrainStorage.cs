using System.Diagnostics;
using System.Text;
using Grid.Persistence.MemoryNodes;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;
using Grid.Replication.Common;
using Grid.Replication.Swarm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Grid.Persistence.Swarm;

/// <summary>
/// Orleans grain storage on SWARM-KV: each grain state is one linearizable register replicated on
/// 2f+1 memory nodes, so a write or read costs one roundtrip in the common case and survives the
/// crash of f memory nodes without a pause (README, "SWARM grain storage").
///
/// ETags: each record carries a random ETag. The provider remembers the ETag it last read or
/// wrote per grain (<see cref="GrainStateMarks"/>), so the contract's checks (stale or null ETag
/// against an existing record → <see cref="InconsistentStateException"/>) cost no roundtrip and
/// are exact for the activation in this silo. A SWARM register cannot compare-and-set across
/// replicas (DESIGN.md), so two activations of one grain in two silos are detected, not
/// prevented: every write's first roundtrip returns the other writers' words for the key, and one
/// above what this silo last saw means another activation wrote in between. The write has then
/// landed; the provider reports <see cref="InconsistentStateException"/> so Orleans deactivates
/// the grain, and the next activation reads the newest state (last writer wins by timestamp).
/// </summary>
public sealed class SwarmGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    // Node ids 65,536..131,071 name silos whose writer id is leased (writers use 1..63, memory nodes 1000..).
    private const uint AutomaticClientNodeIds = 1 << 16;
    private readonly string _name;
    private readonly SwarmGrainStorageOptions _options;
    private readonly IServiceProvider _services;
    private readonly IActivatorProvider _activators;
    private readonly ILogger<SwarmGrainStorage> _logger;
    private readonly string _serviceId;
    private readonly GrainStateMarks _marks;
    private readonly SwarmGrainStorageMetrics _metrics;
    private SwarmKvStore? _store;
    private WriterLease? _lease;
    private string? _leaseProblem;
    private Task _replacing = Task.CompletedTask;
    private IReadOnlyList<ReconnectingQueuePair> _queuePairs = [];
    private IMemoryNodeSource? _source;
    private CancellationTokenSource? _sweepStop;
    private Task _sweep = Task.CompletedTask;
    private long _releasedStates;
    private bool _refreshOverdue;
    private MemoryNodeRebuilder? _rebuilder;

    public SwarmGrainStorage(
        string name,
        SwarmGrainStorageOptions options,
        IServiceProvider services,
        IOptions<ClusterOptions> clusterOptions,
        IActivatorProvider activators,
        ILogger<SwarmGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        _name = name;
        _options = options;
        _services = services;
        _activators = activators;
        _logger = logger;
        _serviceId = clusterOptions.Value.ServiceId;
        _marks = new GrainStateMarks(options.CachedGrainsMax);
        _metrics = new SwarmGrainStorageMetrics(name);
    }

    /// <summary>The provider's name (as in <c>[PersistentState("x", name)]</c>).</summary>
    public string Name => _name;

    /// <summary>Whether the provider has connected to its memory nodes.</summary>
    public bool IsConnected => _store is not null;

    /// <summary>The memory nodes and the state of this silo's connection to each.</summary>
    public IReadOnlyList<MemoryNodeHealth> MemoryNodeHealth
    {
        get
        {
            var pairs = _queuePairs;
            var missed = _store?.MissedNodes ?? [];
            return _source is null ? [] : _source.Names.Select((n, i) => i < pairs.Count
                ? new MemoryNodeHealth(n, pairs[i].State, pairs[i].Status, missed.Contains(i), _rebuilder?.Progress(i))
                : new MemoryNodeHealth(n, QueuePairState.Closed)).ToList();
        }
    }

    /// <summary>The writer id this silo writes with (leased or configured); null before the provider connects.</summary>
    public int? WriterId => _store?.WriterId;

    /// <summary>When this silo's writer lease runs out unless renewed; null before the provider connects.</summary>
    public DateTimeOffset? WriterLeaseExpiresAt => _lease?.ExpiresAt;

    /// <summary>
    /// Why this silo cannot write right now because of its writer id (its lease was lost and no
    /// other id could be leased yet, or its configured id was taken by another silo); null when fine.
    /// </summary>
    public string? WriterIdProblem => Volatile.Read(ref _leaseProblem);

    /// <summary>The SWARM client's protocol counters (paths taken by writes and reads).</summary>
    public SwarmClientCounters? Counters => _store?.Counters;

    /// <summary>
    /// How long ago the last timestamp refresh over every memory node began
    /// (<see cref="SwarmKvStore.SinceTimestampRefresh"/>; the sweep runs them); null before the
    /// provider connects. Writes fail once it passes <see cref="TimestampRefreshDeadline"/>.
    /// </summary>
    public TimeSpan? SinceTimestampRefresh => _store?.SinceTimestampRefresh;

    /// <summary>See <see cref="SwarmOptions.TimestampRefreshDeadline"/>; null before the provider connects.</summary>
    public TimeSpan? TimestampRefreshDeadline => _store?.TimestampRefreshDeadline;

    /// <summary>How many cleared states the sweep has released (entries and buffers freed).</summary>
    public long ReleasedStates => Interlocked.Read(ref _releasedStates);

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(OptionFormattingUtilities.Name<SwarmGrainStorage>(_name), _options.InitStage, StartAsync, StopAsync);
    }

    /// <summary>Connects to the memory nodes (silo start). Public for hosts that start the provider themselves.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            return;
        }

        _source = CreateSource();
        var regionBytes = SwarmKvStore.RegionBytesFor(_options.Layout);
        // The connection's node id only names this silo in the memory nodes' logs; with a leased
        // writer id it is not known yet.
        var client = _options.WriterId != 0
            ? new NodeId((uint)_options.WriterId)
            : new NodeId(AutomaticClientNodeIds + (uint)Random.Shared.Next((int)AutomaticClientNodeIds));
        var reconnectLogger = _services.GetService<ILoggerFactory>()?.CreateLogger<ReconnectingQueuePair>() ?? (ILogger)_logger;
        _queuePairs = await _source.ConnectAsync(
            client,
            new MemoryNodeConnectOptions(
                regionBytes, (ulong)new SwarmLayout(_options.Layout.ToSwarmOptions()).MembershipOffset, _options.ReconnectOptions(), reconnectLogger),
            cancellationToken)
            .ConfigureAwait(false);
        var swarmOptions = _options.Layout.ToSwarmOptions();
        _rebuilder = new MemoryNodeRebuilder(
            _name, (ulong)new SwarmLayout(swarmOptions).MembershipOffset, swarmOptions.MaxInFlight, TimeProvider.System, _logger);
        _sweepStop = new CancellationTokenSource();
        WriterLease lease;
        SwarmKvStore store;
        try
        {
            (lease, store) = await StartWriterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The pairs would go on redialing their nodes for nothing.
            foreach (var pair in _queuePairs)
            {
                await pair.DisposeAsync().ConfigureAwait(false);
            }

            _queuePairs = [];
            _sweepStop.Dispose();
            _sweepStop = null;
            throw;
        }

        _store = store;
        Hold(lease);
        SwarmGrainStorageLog.Connected(_logger, _name, lease.WriterId, lease.Forced ? "configured" : "leased", _source.Describe(),
            _queuePairs.Count(p => p.State == QueuePairState.Ready), _queuePairs.Count, regionBytes);
        _metrics.TrackRefreshAge(() => SinceTimestampRefresh);

        _sweep = SweepLoopAsync(_sweepStop.Token);
    }

    /// <summary>
    /// Leases a free writer id (or takes the configured one) and starts a SWARM client under it;
    /// if the client does not start, the id is freed at once rather than blocked for a lease duration.
    /// </summary>
    private async Task<(WriterLease Lease, SwarmKvStore Store)> StartWriterAsync(CancellationToken cancellationToken)
    {
        var layout = new SwarmLayout(_options.Layout.ToSwarmOptions());
        var lease = _options.WriterId == 0
            ? await WriterLease.AcquireAsync(_queuePairs, layout, _options.WriterLease, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await WriterLease.TakeAsync(_options.WriterId, _queuePairs, layout, _options.WriterLease, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            // Renewing starts now: a taken id's client first waits out the previous holder
            // (WriterLease.SafeFrom), and the lease must not lapse meanwhile.
            lease.StartRenewing();
            var store = await SwarmKvStore.StartAsync(
                lease.WriterId, _queuePairs, _options.Layout, lease: lease, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (lease, store);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Keeps <paramref name="lease"/> renewed and reacts when it is lost.</summary>
    private void Hold(WriterLease lease)
    {
        _lease = lease;
        lease.StartRenewing();
        var stopping = _sweepStop!.Token;
        // Not inline: the callback runs inside the renewal that found the loss.
        lease.Lost.Register(() => _replacing = Task.Run(() => ReplaceWriterAsync(lease, stopping)));
    }

    /// <summary>
    /// After this silo's lease was lost (it paused past the lease, or another silo took the id),
    /// the old writer's writes fail on the incarnation check. A leased id is replaced: lease another,
    /// start a new SWARM client under it and swap it in; ETag marks stay valid, since they hold
    /// metadata words, which every writer id orders alike. A configured id is an operator's
    /// choice: the silo reports the problem (log, <see cref="WriterIdProblem"/>, /health).
    /// </summary>
    private async Task ReplaceWriterAsync(WriterLease lost, CancellationToken stopping)
    {
        SwarmGrainStorageLog.WriterLeaseLost(_logger, _name, lost.WriterId, lost.LostReason);
        Volatile.Write(ref _leaseProblem, $"the lease of writer id {lost.WriterId} was lost: {lost.LostReason}");
        if (_options.WriterId != 0)
        {
            return;
        }

        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var (lease, store) = await StartWriterAsync(stopping).ConfigureAwait(false);
                var old = Interlocked.Exchange(ref _store, store);
                Hold(lease);
                Volatile.Write(ref _leaseProblem, null);
                SwarmGrainStorageLog.WriterReplaced(_logger, _name, lost.WriterId, lease.WriterId);
                await lost.DisposeAsync().ConfigureAwait(false);
                if (old is not null)
                {
                    await old.DisposeAsync().ConfigureAwait(false);
                }

                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SwarmCapacityException or QuorumUnavailableException or TransportException)
            {
                SwarmGrainStorageLog.WriterReplaceFailed(_logger, ex, _name);
                try
                {
                    await Task.Delay(_options.WriterLease.RenewInterval, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _metrics.StopTrackingRefreshAge();
        if (_sweepStop is { } stop)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _sweep.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await _replacing.ConfigureAwait(false);
            stop.Dispose();
            _sweepStop = null;
        }

        if (_store is { } store)
        {
            _store = null;
            await store.DisposeAsync().ConfigureAwait(false);
            if (_lease is { } lease)
            {
                _lease = null;
                await lease.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var pair in _queuePairs)
            {
                await pair.DisposeAsync().ConfigureAwait(false);
            }

            _queuePairs = [];
            SwarmGrainStorageLog.Closed(_logger, _name);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <summary>
    /// Reads the state. Cancellation is honoured before the read starts; a started SWARM
    /// operation runs to its end (its roundtrips are microseconds).
    /// </summary>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        cancellationToken.ThrowIfCancellationRequested();
        var store = Store();
        var key = StorageKey(stateName, grainId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var read = await store.GetAsync(key.Bytes).ConfigureAwait(false);
            if (read.Value is null)
            {
                grainState.State = _activators.GetActivator<T>().Create();
                grainState.ETag = null;
                grainState.RecordExists = false;
            }
            else
            {
                var (etag, state) = SwarmStorageRecord.Decode(read.Value);
                grainState.State = _options.GrainStorageSerializer.Deserialize<T>(state);
                grainState.ETag = etag;
                grainState.RecordExists = true;
            }

            _marks.Set(key.Text, new GrainStateMark(grainState.ETag, read.Observed));
            _metrics.Completed("read", started);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Fail("read", stateName, grainId, ex);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        cancellationToken.ThrowIfCancellationRequested();
        var etag = SwarmStorageRecord.NewEtag();
        await ReplaceAsync("write", stateName, grainId, grainState.ETag, etag, () =>
        {
            var state = _options.GrainStorageSerializer.Serialize(grainState.State);
            return SwarmStorageRecord.Encode(etag, state.ToMemory().Span);
        }).ConfigureAwait(false);
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        cancellationToken.ThrowIfCancellationRequested();
        // Deleting is writing a tombstone: the key's entry and buffers are freed by the sweep
        // after the grace period (SWARM README, "Deletion").
        await ReplaceAsync("clear", stateName, grainId, grainState.ETag, null, record: null).ConfigureAwait(false);
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = _activators.GetActivator<T>().Create();
    }

    /// <summary>
    /// The write path of write and clear: check the caller's ETag against the one stored, put
    /// the new record (or delete the key when <paramref name="record"/> is null), and check that
    /// no other activation wrote in between.
    /// </summary>
    private async Task ReplaceAsync(
        string operation, string stateName, GrainId grainId, string? callerEtag, string? newEtag, Func<byte[]>? record)
    {
        var store = Store();
        var key = StorageKey(stateName, grainId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var mark = await MarkAsync(store, key).ConfigureAwait(false);
            CheckEtag(operation, stateName, grainId, mark, callerEtag);
            if (record is not null || mark.Etag is not null)
            {
                var write = record is null
                    ? await store.DeleteAsync(key.Bytes).ConfigureAwait(false)
                    : await store.PutAsync(key.Bytes, record()).ConfigureAwait(false);
                CheckNoOtherActivation(stateName, grainId, key, mark, write.ObservedOthers);
                _marks.Set(key.Text, new GrainStateMark(newEtag, Math.Max(write.Write, write.ObservedOthers)));
            }

            _metrics.Completed(operation, started);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Fail(operation, stateName, grainId, ex);
        }
    }

    /// <summary>The storage key: service id, grain type, grain key and state name, as Orleans' providers do.</summary>
    internal (string Text, byte[] Bytes) StorageKey(string stateName, GrainId grainId)
    {
        var text = $"{_serviceId}/{grainId.Type}/{grainId.Key}/{stateName}";
        var key = Encoding.UTF8.GetBytes(text);
        if (key.Length > _options.Layout.KeyBytesMax)
        {
            throw new ArgumentException(
                $"the storage key of {grainId} state {stateName} is {key.Length} bytes; the SWARM layout allows " +
                $"{_options.Layout.KeyBytesMax} (Layout.KeyBytesMax): use a shorter grain key");
        }

        return (text, key);
    }

    private static bool IsStorageFailure(Exception ex) =>
        ex is not InconsistentStateException and not ArgumentException and not OperationCanceledException;

    private async Task<GrainStateMark> MarkAsync(SwarmKvStore store, (string Text, byte[] Bytes) key)
    {
        if (_marks.TryGet(key.Text, out var mark))
        {
            return mark;
        }

        // Forgotten (or never read here): one more roundtrip to learn the stored ETag.
        var read = await store.GetAsync(key.Bytes).ConfigureAwait(false);
        return new GrainStateMark(read.Value is null ? null : SwarmStorageRecord.Decode(read.Value).Etag, read.Observed);
    }

    private void CheckEtag(string operation, string stateName, GrainId grainId, GrainStateMark mark, string? etag)
    {
        if (!string.Equals(mark.Etag, etag, StringComparison.Ordinal))
        {
            _metrics.Conflict(operation);
            throw new InconsistentStateException(
                $"SWARM storage {_name}: {operation} of {grainId} state {stateName} with ETag {etag ?? "null"}, " +
                $"but the stored ETag is {mark.Etag ?? "null (no record)"}",
                mark.Etag, etag);
        }
    }

    private void CheckNoOtherActivation(string stateName, GrainId grainId, (string Text, byte[] Bytes) key, GrainStateMark mark, ulong observedOthers)
    {
        if (observedOthers > mark.Seen)
        {
            _marks.Forget(key.Text);
            _metrics.Conflict("write");
            SwarmGrainStorageLog.ConcurrentActivation(_logger, _name, grainId.ToString(), stateName);
            throw new InconsistentStateException(
                $"SWARM storage {_name}: another activation of {grainId} wrote state {stateName} since this silo last " +
                "read or wrote it; this write landed and the newer of the two by timestamp wins. The grain is " +
                "deactivated so that its next activation reads the current state.",
                "(written by another activation)", mark.Etag);
        }
    }

    private SwarmStorageException Fail(string operation, string stateName, GrainId grainId, Exception ex)
    {
        _metrics.Failed(operation);
        SwarmGrainStorageLog.OperationFailed(_logger, ex, _name, operation, grainId.ToString(), stateName);
        var why = ex switch
        {
            QuorumUnavailableException => "a majority of memory nodes did not answer",
            InvalidDataException => "the stored record is not one this provider wrote",
            _ => ex.Message,
        };
        return new SwarmStorageException($"SWARM storage {_name}: {operation} of {grainId} state {stateName} failed: {why}", ex);
    }

    private SwarmKvStore Store() => _store ?? throw new SwarmStorageException(
        $"SWARM storage {_name} is not connected to its memory nodes (the silo has not started or is stopping)");

    private IMemoryNodeSource CreateSource()
    {
        if (_options.MemoryNodes.Count == 0)
        {
            return _services.GetService<EmbeddedMemoryNodes>() ?? throw new SwarmStorageException(
                $"SWARM storage {_name} has no MemoryNodes configured and no embedded memory nodes are registered " +
                "(services.AddEmbeddedMemoryNodes())");
        }

        var key = _options.ClusterKey is { } secret
            ? ClusterKey.FromSecret(secret)
            : ClusterKey.FromFile(_options.ClusterKeyFile!);
        var transport = new TcpTransportOptions
        {
            ConnectTimeout = _options.ConnectTimeout,
            HandshakeTimeout = _options.ConnectTimeout,
            OperationTimeout = _options.OperationTimeout,
        };
        return new TcpMemoryNodeSource(_options.MemoryNodes.Select(NetworkAddress.Parse).ToList(), key, transport);
    }

    /// <summary>
    /// A SWARM client never posts to a memory node its recovery did not read (the node was down or
    /// its connection failed while the writer started). Once every such node is connected again,
    /// a new client under the same lease recovers from all of them and replaces this one (the new
    /// incarnation fences the old client's later batches). Until then the silo writes with the
    /// other nodes, and its timestamp refreshes, which need every node, wait.
    /// </summary>
    private async Task RestartIfMissedNodesAreBackAsync(SwarmKvStore store, CancellationToken cancellationToken)
    {
        var missed = store.MissedNodes;
        if (missed.Count == 0 || _lease is not { } lease || lease.WriterId != store.WriterId
            || missed.Any(i => _queuePairs[i].State != QueuePairState.Ready))
        {
            return;
        }

        var names = string.Join(", ", missed.Select(i => _source!.Names[i]));
        // The old client stops first and its batches drain, as at a lease handover: a new client
        // whose recovery met a write of the old one still going on would take it for another
        // client with its id and stop (found by the fault simulation, seed 8989). Storage ops fail
        // meanwhile (about MaxInFlight plus a recovery).
        store.Retire($"replaced by a new client of writer id {lease.WriterId} that reads memory node(s) {names}, which its start missed");
        await Task.Delay(_options.Layout.ToSwarmOptions().MaxInFlight, cancellationToken).ConfigureAwait(false);
        var restarted = await SwarmKvStore.StartAsync(
            lease.WriterId, _queuePairs, _options.Layout, lease: lease, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _store, restarted, store) != store)
        {
            await restarted.DisposeAsync().ConfigureAwait(false);
            return;
        }

        SwarmGrainStorageLog.WriterRestartedForMissedNodes(_logger, _name, lease.WriterId, names, restarted.MissedNodes.Count);
        await store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task SweepLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_store is not { } store)
            {
                continue;
            }

            try
            {
                await RestartIfMissedNodesAreBackAsync(store, cancellationToken).ConfigureAwait(false);
                store = _store ?? store;
                if (_options.RebuildEmptyMemoryNodes)
                {
                    await _rebuilder!.StepAsync(store, _queuePairs, _source!.Names).ConfigureAwait(false);
                }
                var released = await store.SweepAsync().ConfigureAwait(false);
                if (released > 0)
                {
                    Interlocked.Add(ref _releasedStates, released);
                    SwarmGrainStorageLog.Swept(_logger, _name, released);
                }

                // Refreshes stall only while a memory node does not answer; say so once, not every sweep.
                var overdue = store.SinceTimestampRefresh > store.TimestampRefreshDeadline / 2;
                if (overdue && !_refreshOverdue)
                {
                    SwarmGrainStorageLog.TimestampRefreshOverdue(_logger, _name, store.SinceTimestampRefresh, store.TimestampRefreshDeadline);
                }

                _refreshOverdue = overdue;
            }
            catch (Exception ex) when (ex is QuorumUnavailableException or TransportException or SwarmWriterConflictException)
            {
                SwarmGrainStorageLog.SweepFailed(_logger, ex, _name);
            }
        }
    }
}
