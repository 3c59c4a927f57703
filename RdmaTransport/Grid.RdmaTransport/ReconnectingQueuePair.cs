using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.RdmaTransport;

/// <summary>
/// A queue pair to one memory node that outlives its connections. While connected it passes
/// every batch to the connection it wraps. When that connection fails it refuses batches, as a
/// crashed node's queue pair does (<see cref="TransportError.PeerUnreachable"/>, so a quorum
/// protocol counts the node as crashed), and redials with exponential back-off and seeded jitter
/// on its <see cref="ReconnectOptions.TimeProvider"/>.
/// <para>
/// It takes a new connection into use only when both hold (README, "Reconnecting"):
/// </para>
/// <list type="bullet">
/// <item>the node answers with the memory it was admitted with: the same cluster id and
/// incarnation (<see cref="QueuePair.RemoteIdentity"/>) as the first connection, or as the
/// identity it was given. Other memory (a new incarnation: the node restarted empty or serves
/// another file) is refused as <see cref="ReconnectState.NeedsRebuild"/>, another cluster as
/// <see cref="ReconnectState.Refused"/>, and probed every <see cref="ReconnectOptions.MaxDelay"/>;</item>
/// <item>no batch posted on an old connection can still land: every batch carries a deadline
/// (<see cref="VerbBatch.NotAfter"/>; one is stamped on batches posted without), a node runs a
/// batch only until its clock passes that deadline by its skew allowance, and clocks differ by
/// at most <see cref="ReconnectOptions.ClockSkewAllowance"/> S. So once this clock has passed the
/// latest deadline of the old connections by 2 S, no node runs any of their batches, and batches
/// on the new connection cannot be overtaken by them (per-connection order holds across
/// reconnects). Until then it is <see cref="ReconnectState.Draining"/>.</item>
/// </list>
/// A batch posted on the old connection that failed may or may not have run; protocols treat it
/// as they treat a batch to a node that crashed. Thread-safe like every queue pair.
/// </summary>
public sealed class ReconnectingQueuePair : QueuePair, IQueuePairObserver
{
    private readonly QueuePairDialer _dial;
    private readonly ReconnectOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private string? _refusal;
    private readonly List<QueuePair> _retired = [];
    private Connection? _current;
    private Connection? _pending;
    private Connection? _lastClosed;
    private DateTimeOffset _oldDeadline = DateTimeOffset.MinValue;
    private MemoryNodeIdentity? _admitted;
    private MemoryNodeIdentity? _seen;
    private ReconnectState _state;
    private int _attempts;
    private long _reconnects;
    private string? _detail;
    private DateTimeOffset? _nextAt;
    private ITimer? _timer;
    private Task _dialing = Task.CompletedTask;
    private IReadOnlyList<RegionInfo> _regions = [];
    private string _fabric = "none";
    private bool _everConnected;

    /// <param name="localNode">This side's node id.</param>
    /// <param name="remoteNode">The node's id.</param>
    /// <param name="name">The node as logs and errors name it (its address).</param>
    /// <param name="dial">Opens a new connection to the node.</param>
    /// <param name="options">Back-off, clock and skew; validated here.</param>
    /// <param name="connected">
    /// A connection already open and admitted (its identity is the one to keep), or null to start
    /// by dialing: a node that was down when the client started.
    /// </param>
    /// <param name="admitted">
    /// The identity to admit; null takes the first connection's. Must equal
    /// <paramref name="connected"/>'s identity when both are given.
    /// </param>
    /// <param name="refusal">
    /// When set, the node is refused from the start as needing a rebuild, for this reason. With
    /// no <paramref name="admitted"/> identity no connection is ever admitted (a node no membership
    /// record vouches for); with one, the node is probed and admitted should it answer with it.
    /// </param>
    /// <param name="logger">Connection losses, re-admissions and refusals.</param>
    /// <param name="notConnectedReason">Why there is no <paramref name="connected"/> connection (the first dial's error).</param>
    /// <param name="connectedDeadline">
    /// The latest deadline of batches already posted on <paramref name="connected"/>, which a
    /// later connection must wait out like those posted through this pair.
    /// </param>
    public ReconnectingQueuePair(
        NodeId localNode,
        NodeId remoteNode,
        string name,
        QueuePairDialer dial,
        ReconnectOptions? options = null,
        QueuePair? connected = null,
        MemoryNodeIdentity? admitted = null,
        string? refusal = null,
        ILogger? logger = null,
        string? notConnectedReason = null,
        DateTimeOffset? connectedDeadline = null)
        : base(localNode, remoteNode, [])
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dial);
        _options = options ?? new ReconnectOptions();
        _options.Validate();
        Name = name;
        _dial = dial;
        _time = _options.TimeProvider;
        _random = _options.JitterSeed is { } seed ? new Random(HashCode.Combine(seed, remoteNode.Value)) : new Random();
        _logger = logger ?? NullLogger.Instance;
        _refusal = admitted is null ? refusal : null;
        _admitted = admitted;
        if (connected is not null)
        {
            if (refusal is not null)
            {
                throw new ArgumentException("a refused node takes no connection", nameof(connected));
            }

            if (admitted is not null && connected.RemoteIdentity != admitted)
            {
                throw new ArgumentException(
                    $"the connection's identity ({connected.RemoteIdentity}) is not the one to admit ({admitted})",
                    nameof(connected));
            }

            if (connected.State == QueuePairState.Closed)
            {
                throw new ArgumentException("the connection is closed already", nameof(connected));
            }

            lock (_lock)
            {
                _admitted ??= connected.RemoteIdentity;
                _pending = new Connection(connected);
                if (connectedDeadline is { } posted)
                {
                    _pending.Record(posted);
                }

                connected.Observer = this;
                Admit();
            }

            return;
        }

        lock (_lock)
        {
            _state = refusal is null ? ReconnectState.Reconnecting : ReconnectState.NeedsRebuild;
            _detail = refusal ?? notConnectedReason ?? "not connected yet";
            ScheduleAttempt(refusal is null ? Backoff(1) : _options.MaxDelay);
        }

        if (refusal is not null)
        {
            TransportMetrics.RecordReconnect("refused", this);
            ReconnectLog.Refused(_logger, Name, refusal);
        }
    }

    /// <summary>The node as logs and errors name it.</summary>
    public string Name { get; }

    public override string Fabric => Volatile.Read(ref _fabric);

    public override QueuePairState State
    {
        get
        {
            var current = Volatile.Read(ref _current);
            return current is null ? QueuePairState.Closed : current.Pair.State;
        }
    }

    /// <summary>The node's regions as the current (or last) connection described them.</summary>
    public override IReadOnlyList<RegionInfo> RemoteRegions => Volatile.Read(ref _regions);

    /// <summary>The identity this pair admits (the memory it counts on); null before it knew one.</summary>
    public override MemoryNodeIdentity? RemoteIdentity
    {
        get
        {
            lock (_lock)
            {
                return _admitted;
            }
        }
    }

    /// <summary>Where it stands, for health reports.</summary>
    public ReconnectStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new ReconnectStatus(_state, _attempts, _reconnects,
                    _state == ReconnectState.Connected ? null : _detail, _admitted, _seen, _nextAt);
            }
        }
    }

    protected override (TransportError Error, string Message) ClosedFailure
    {
        get
        {
            lock (_lock)
            {
                return (TransportError.PeerUnreachable, Describe());
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Connection? current;
        Connection? pending;
        Task dialing;
        QueuePair[] retired;
        lock (_lock)
        {
            if (_state == ReconnectState.Closed)
            {
                return;
            }

            _state = ReconnectState.Closed;
            _detail = $"the queue pair to {Name} was disposed";
            _timer?.Dispose();
            _timer = null;
            _nextAt = null;
            (current, _current) = (_current, null);
            (pending, _pending) = (_pending, null);
            dialing = _dialing;
            retired = [.. _retired];
            _retired.Clear();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await dialing.ConfigureAwait(false);
        foreach (var pair in new[] { current?.Pair, pending?.Pair }.Concat(retired))
        {
            if (pair is not null)
            {
                pair.Observer = null;
                await pair.DisposeAsync().ConfigureAwait(false);
            }
        }

        SetState(QueuePairState.Closed, $"the queue pair to {Name} was disposed");
        _stop.Dispose();
    }

    /// <summary>
    /// A view of the connection in use now (see <see cref="QueuePair.Pin"/>): it posts on that
    /// connection only, and refuses everything once that connection has failed; refuses from the
    /// start when the node is not connected now.
    /// </summary>
    public override QueuePair Pin() => new PinnedConnection(this, Volatile.Read(ref _current));

    protected override void PostCore(VerbBatch batch)
    {
        var current = Volatile.Read(ref _current);
        if (current is null)
        {
            var (error, message) = ClosedFailure;
            Complete(batch, error, -1, message);
            return;
        }

        PostOn(current, batch);
    }

    /// <summary>Hands a begun batch to one connection, deadline first.</summary>
    private void PostOn(Connection current, VerbBatch batch)
    {
        if (!batch.IsReset)
        {
            if (batch.NotAfter is null || batch.DeadlineStamped)
            {
                batch.StampDeadline(_time.GetUtcNow() + _options.UndatedBatchLifetime);
            }

            // Recorded before the batch is handed on: whoever folds this connection's latest
            // deadline after it closed either sees this one, or this post sees it closed and
            // never sends it (both sides go through a full fence).
            current.Record(batch.NotAfter!.Value);
        }

        current.Pair.Dispatch(batch);
    }

    void IQueuePairObserver.OnBatchCompleted(QueuePair source, VerbBatch batch, TransportError error)
    {
        var failed = error != TransportError.None;
        Statistics.Record(batch.Count, batch.OutboundBytes, failed ? 0 : batch.InboundBytes, failed);
        if (!failed && Volatile.Read(ref _attempts) != 0)
        {
            lock (_lock)
            {
                // A batch went through: the link works again, so back-off starts over.
                if (_current?.Pair == source)
                {
                    _attempts = 0;
                }
            }
        }
    }

    void IQueuePairObserver.OnClosed(QueuePair source)
    {
        string? reason;
        lock (_lock)
        {
            Connection lost;
            if (_current?.Pair == source)
            {
                lost = _current;
                _current = null;
            }
            else if (_pending?.Pair == source)
            {
                lost = _pending;
                _pending = null;
            }
            else
            {
                return;
            }

            reason = source.CloseReason;
            Retire(lost);
            if (_state == ReconnectState.Closed)
            {
                return;
            }

            _state = ReconnectState.Reconnecting;
            _detail = reason;
            ScheduleAttempt(Backoff(_attempts + 1));
        }

        TransportMetrics.RecordReconnect("lost", this);
        ReconnectLog.ConnectionLost(_logger, Name, reason ?? "closed");
    }

    /// <summary>Why posts are refused now; under the lock.</summary>
    private string Describe()
    {
        var next = _nextAt is { } at ? $", next in {Math.Max(0, (at - _time.GetUtcNow()).TotalMilliseconds):0} ms" : "";
        return _state switch
        {
            ReconnectState.Reconnecting =>
                $"memory node {Name} is unreachable; reconnecting (attempt {_attempts}{next}): {_detail}",
            ReconnectState.Draining =>
                $"memory node {Name} is connected again but not used until {_nextAt:O}: batches of its old " +
                "connection may land until then",
            ReconnectState.NeedsRebuild =>
                $"memory node {Name} needs a rebuild and is not counted in any quorum: {_detail}",
            ReconnectState.Refused => $"memory node {Name} is refused: {_detail}",
            ReconnectState.Closed => $"the queue pair to memory node {Name} is disposed",
            _ => $"memory node {Name}: the connection closed: {_detail}",
        };
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based): doubling, capped, jittered.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var doublings = Math.Min(attempt - 1, 30);
        var ticks = Math.Min((double)_options.InitialDelay.Ticks * Math.Pow(2, doublings), _options.MaxDelay.Ticks);
        var jittered = ticks * (1 - _options.Jitter * _random.NextDouble());
        return TimeSpan.FromTicks(Math.Max(1, (long)jittered));
    }

    /// <summary>Under the lock.</summary>
    private void ScheduleAttempt(TimeSpan delay)
    {
        _timer?.Dispose();
        _nextAt = _time.GetUtcNow() + delay;
        _timer = _time.CreateTimer(_ => AttemptDue(), null, delay, Timeout.InfiniteTimeSpan);
    }

    private void AttemptDue()
    {
        QueuePair[] retired;
        TaskCompletionSource done;
        CancellationToken stop;
        lock (_lock)
        {
            if (_state is not (ReconnectState.Reconnecting or ReconnectState.NeedsRebuild or ReconnectState.Refused)
                || _pending is not null || _current is not null)
            {
                return;
            }

            _timer?.Dispose();
            _timer = null;
            _nextAt = null;
            if (_state == ReconnectState.Reconnecting)
            {
                _attempts++;
            }

            retired = [.. _retired];
            _retired.Clear();
            // Dispose waits for this attempt; the dial itself runs outside the lock.
            done = new TaskCompletionSource();
            _dialing = done.Task;
            stop = _stop.Token;
        }

        _ = RunAttemptAsync(retired, done, stop);
    }

    private async Task RunAttemptAsync(QueuePair[] retired, TaskCompletionSource done, CancellationToken stop)
    {
        try
        {
            await DialAsync(retired, stop).ConfigureAwait(false);
        }
        finally
        {
            done.SetResult();
        }
    }

    private async Task DialAsync(QueuePair[] retired, CancellationToken stop)
    {
        // The dead connections go first; nothing of theirs is used any more.
        foreach (var dead in retired)
        {
            await dead.DisposeAsync().ConfigureAwait(false);
        }

        TransportMetrics.RecordReconnect("attempt", this);
        QueuePair pair;
        try
        {
            pair = await _dial(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            DialFailed(ex.Message);
            return;
        }

        if (pair.State == QueuePairState.Closed)
        {
            DialFailed(pair.CloseReason ?? "the connection closed as it opened");
            await pair.DisposeAsync().ConfigureAwait(false);
            return;
        }

        await ArrivedAsync(pair).ConfigureAwait(false);
    }

    private void DialFailed(string reason)
    {
        int attempts;
        lock (_lock)
        {
            if (_state == ReconnectState.Closed)
            {
                return;
            }

            attempts = _attempts;
            if (_state == ReconnectState.Reconnecting)
            {
                _detail = reason;
                ScheduleAttempt(Backoff(_attempts + 1));
            }
            else
            {
                // Refused nodes are probed only to report what answers; the refusal stays the detail.
                ScheduleAttempt(_options.MaxDelay);
            }
        }

        ReconnectLog.AttemptFailed(_logger, Name, attempts, reason);
    }

    private async Task ArrivedAsync(QueuePair pair)
    {
        var seen = pair.RemoteIdentity;
        string? refusal;
        ReconnectState refusedAs;
        var changed = false;
        lock (_lock)
        {
            if (_state == ReconnectState.Closed)
            {
                refusal = "disposed";
                refusedAs = ReconnectState.Closed;
            }
            else
            {
                (refusal, refusedAs) = Check(seen);
                if (refusal is null)
                {
                    _admitted ??= seen;
                    _seen = seen;
                    _pending = new Connection(pair);
                    pair.Observer = this;
                    if (pair.State == QueuePairState.Closed)
                    {
                        // Closed before the observer was in place: OnClosed will not come.
                        _pending = null;
                        _detail = pair.CloseReason;
                        ScheduleAttempt(Backoff(_attempts + 1));
                        refusal = pair.CloseReason ?? "closed";
                        refusedAs = ReconnectState.Reconnecting;
                    }
                    else
                    {
                        AdmitOrDrain();
                    }
                }
                else
                {
                    changed = _state != refusedAs || (_seen is not null && _seen != seen);
                    _state = refusedAs;
                    _seen = seen;
                    _detail = refusal;
                    ScheduleAttempt(_options.MaxDelay);
                }
            }
        }

        if (refusal is null)
        {
            return;
        }

        await pair.DisposeAsync().ConfigureAwait(false);
        if (changed && refusedAs is ReconnectState.NeedsRebuild or ReconnectState.Refused)
        {
            TransportMetrics.RecordReconnect("refused", this);
            ReconnectLog.Refused(_logger, Name, refusal);
        }
    }

    /// <summary>
    /// Counts the node with <paramref name="identity"/> from now on: the memory that replaced the
    /// one it was admitted with, once a rebuild changed the cluster's membership record to name it
    /// (SWARM README, "Rebuilding a node that came back empty"). The pair dials again at once and
    /// uses the node when it answers with that identity, after the old connections' batches can
    /// no longer land. Returns false when the pair is not waiting for a rebuild.
    /// </summary>
    public bool Admit(MemoryNodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        lock (_lock)
        {
            if (_state != ReconnectState.NeedsRebuild || _stop.IsCancellationRequested)
            {
                return false;
            }

            _refusal = null;
            _admitted = identity;
            _state = ReconnectState.Reconnecting;
            _detail = $"rebuilt: admitting incarnation {identity.IncarnationText}";
            if (_pending is null && _current is null)
            {
                ScheduleAttempt(TimeSpan.Zero);
            }
        }

        ReconnectLog.Rebuilt(_logger, Name, identity.IncarnationText);
        return true;
    }

    /// <summary>Null when <paramref name="seen"/> may be admitted, else why not and as what; under the lock.</summary>
    private (string? Refusal, ReconnectState As) Check(MemoryNodeIdentity? seen)
    {
        if (_refusal is not null)
        {
            return (_refusal, ReconnectState.NeedsRebuild);
        }

        if (seen is null)
        {
            return ("the node tells no identity, so its memory cannot be told from another", ReconnectState.Refused);
        }

        if (_admitted is null)
        {
            return (null, ReconnectState.Connected);
        }

        if (seen.ClusterId != _admitted.ClusterId)
        {
            return ($"it belongs to cluster '{seen.ClusterId}', not '{_admitted.ClusterId}'", ReconnectState.Refused);
        }

        if (seen.Incarnation != _admitted.Incarnation)
        {
            return ($"it came back with memory incarnation {seen.IncarnationText}, not the admitted " +
                $"{_admitted.IncarnationText}: its memory started empty (or is another node's) and lacks " +
                "what the cluster wrote", ReconnectState.NeedsRebuild);
        }

        return (null, ReconnectState.Connected);
    }

    /// <summary>Admits the pending connection now, or once the old connections' batches cannot land; under the lock.</summary>
    private void AdmitOrDrain()
    {
        var usableAt = UsableAt();
        var now = _time.GetUtcNow();
        if (now >= usableAt)
        {
            Admit();
            return;
        }

        _state = ReconnectState.Draining;
        _detail = $"connected again; not used before {usableAt:O}";
        _timer?.Dispose();
        _nextAt = usableAt;
        _timer = _time.CreateTimer(_ => DrainDue(), null, usableAt - now, Timeout.InfiniteTimeSpan);
    }

    private void DrainDue()
    {
        lock (_lock)
        {
            if (_state == ReconnectState.Draining && _pending is not null)
            {
                AdmitOrDrain();
            }
        }
    }

    /// <summary>
    /// When a new connection may be used: one tick after the latest deadline of any batch posted
    /// on an old connection plus twice the skew allowance (a node's clock may lag this one by S,
    /// and the node runs a batch until S past its deadline). Under the lock.
    /// </summary>
    private DateTimeOffset UsableAt()
    {
        var latest = _oldDeadline;
        if (_lastClosed?.LatestDeadline is { } last && last > latest)
        {
            latest = last;
        }

        // Strictly later: a node still runs a batch whose deadline + S equals its clock.
        var wait = _options.ClockSkewAllowance * 2 + TimeSpan.FromTicks(1);
        return latest == DateTimeOffset.MinValue || latest > DateTimeOffset.MaxValue - wait ? latest : latest + wait;
    }

    /// <summary>Under the lock.</summary>
    private void Admit()
    {
        var connection = _pending!;
        _pending = null;
        _timer?.Dispose();
        _timer = null;
        _nextAt = null;
        _seen = connection.Pair.RemoteIdentity;
        Volatile.Write(ref _regions, connection.Pair.RemoteRegions);
        Volatile.Write(ref _fabric, connection.Pair.Fabric);
        var again = _everConnected;
        _everConnected = true;
        _state = ReconnectState.Connected;
        _detail = null;
        Volatile.Write(ref _current, connection);
        if (again)
        {
            _reconnects++;
            TransportMetrics.RecordReconnect("readmitted", this);
            ReconnectLog.Readmitted(_logger, Name, _attempts, _admitted?.IncarnationText ?? "?");
        }
    }

    /// <summary>Remembers a closed connection's latest deadline and keeps it for disposal; under the lock.</summary>
    private void Retire(Connection lost)
    {
        if (lost.LatestDeadline is { } latest && latest > _oldDeadline)
        {
            _oldDeadline = latest;
        }

        _lastClosed = lost;
        _retired.Add(lost.Pair);
    }

    /// <summary>
    /// <see cref="Pin"/>'s view: posts on one connection (a replaced connection is closed for
    /// good, so it then refuses), or refuses from the start when there was none.
    /// </summary>
    private sealed class PinnedConnection(ReconnectingQueuePair owner, Connection? connection)
        : QueuePair(owner.LocalNode, owner.RemoteNode, [])
    {
        public override string Fabric => owner.Fabric;

        public override QueuePairState State => connection?.Pair.State ?? QueuePairState.Closed;

        public override IReadOnlyList<RegionInfo> RemoteRegions => owner.RemoteRegions;

        public override MemoryNodeIdentity? RemoteIdentity => owner.RemoteIdentity;

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        protected override (TransportError Error, string Message) ClosedFailure => connection is null
            ? owner.ClosedFailure
            : (TransportError.ConnectionClosed,
                $"the connection to memory node {owner.Name} this operation started on is gone " +
                "(the operation does not move to a new one)");

        protected override void PostCore(VerbBatch batch)
        {
            if (connection is null)
            {
                var (error, message) = ClosedFailure;
                Complete(batch, error, -1, message);
                return;
            }

            owner.PostOn(connection, batch);
        }
    }

    /// <summary>One connection and the latest deadline of the batches posted on it.</summary>
    private sealed class Connection(QueuePair pair)
    {
        private long _latestTicks = long.MinValue;

        public QueuePair Pair { get; } = pair;

        public DateTimeOffset? LatestDeadline
        {
            get
            {
                var ticks = Interlocked.Read(ref _latestTicks);
                return ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }

        public void Record(DateTimeOffset notAfter)
        {
            var ticks = notAfter.UtcTicks;
            var seen = Interlocked.Read(ref _latestTicks);
            while (ticks > seen)
            {
                var before = Interlocked.CompareExchange(ref _latestTicks, ticks, seen);
                if (before == seen)
                {
                    return;
                }

                seen = before;
            }
        }
    }
}
