using System.Diagnostics;

namespace Grid.RdmaTransport;

/// <summary>
/// A connection from this node to one remote endpoint (an RDMA RC queue pair). Batches posted on
/// it execute at the target in post order, each as one roundtrip; see <see cref="VerbBatch"/>.
/// Thread-safe: several threads may post concurrently (their order is the order of the posts).
/// Completions run on the fabric's thread: continuations after an await must not block.
/// </summary>
public abstract class QueuePair : IAsyncDisposable
{
    private int _state;
    private string? _closeReason;

    protected QueuePair(
        NodeId localNode,
        NodeId remoteNode,
        IReadOnlyList<RegionInfo> remoteRegions,
        MemoryNodeIdentity? remoteIdentity = null)
    {
        LocalNode = localNode;
        RemoteNode = remoteNode;
        RemoteRegions = remoteRegions;
        RemoteIdentity = remoteIdentity;
    }

    public NodeId LocalNode { get; }

    public NodeId RemoteNode { get; }

    /// <summary>The target's regions as they were described when the connection opened.</summary>
    public virtual IReadOnlyList<RegionInfo> RemoteRegions { get; }

    /// <summary>
    /// The target's cluster and memory incarnation when the connection opened, or null when the
    /// fabric tells none (an unreachable node). A client compares it with the one it knew: a new
    /// incarnation means the node's memory started empty since (a restart without a data file).
    /// </summary>
    public virtual MemoryNodeIdentity? RemoteIdentity { get; }

    public virtual QueuePairState State => (QueuePairState)Volatile.Read(ref _state);

    /// <summary>Why the queue pair closed (the first closing error's message); null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>
    /// Told of every completion and of the close, on the fabric's thread: how a
    /// <see cref="ReconnectingQueuePair"/> follows the connection it wraps. At most one.
    /// </summary>
    internal IQueuePairObserver? Observer { get; set; }

    public QueuePairStatistics Statistics { get; } = new();

    /// <summary>"inproc" or "tcp": the fabric tag on metrics and benchmark rows.</summary>
    public abstract string Fabric { get; }

    /// <summary>
    /// Posts a batch. Its completion arrives through <see cref="VerbBatch.CompletionHandler"/> or,
    /// when that is null, through the awaitable of <see cref="PostAsync"/>.
    /// </summary>
    public void Post(VerbBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.BeginPost();
        batch.PostedTimestamp = Stopwatch.GetTimestamp();
        Dispatch(batch);
    }

    /// <summary>
    /// Posts a batch whose post has begun (<see cref="VerbBatch.BeginPost"/>): the state checks,
    /// then the fabric. A wrapping queue pair hands its batches to the connection it wraps here.
    /// </summary>
    internal void Dispatch(VerbBatch batch)
    {
        switch (State)
        {
            case QueuePairState.Closed:
                var (error, message) = ClosedFailure;
                Complete(batch, error, -1, message);
                return;
            case QueuePairState.Error when !batch.IsReset:
                Complete(batch, TransportError.QueuePairInError, 0,
                    $"flushed: the queue pair {LocalNode} -> {RemoteNode} is in the error state " +
                    "after a failed op; reset it first");
                return;
        }

        PostCore(batch);
    }

    /// <summary>Posts a batch and completes when it has; throws <see cref="TransportException"/>.</summary>
    public ValueTask PostAsync(VerbBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.CompletionHandler is not null)
        {
            throw new InvalidOperationException("a batch with a completion handler is not awaitable");
        }

        Post(batch);
        return batch.AsValueTask();
    }

    /// <summary>Leaves the error state: later posts execute again (one roundtrip).</summary>
    public async ValueTask ResetAsync()
    {
        var batch = new VerbBatch(1);
        batch.MarkAsReset();
        await PostAsync(batch).ConfigureAwait(false);
    }

    public async ValueTask ReadAsync(uint regionId, ulong offset, Memory<byte> destination)
    {
        var batch = new VerbBatch(1);
        batch.Read(regionId, offset, destination);
        await PostAsync(batch).ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(uint regionId, ulong offset, ReadOnlyMemory<byte> source)
    {
        var batch = new VerbBatch(1);
        batch.Write(regionId, offset, source);
        await PostAsync(batch).ConfigureAwait(false);
    }

    /// <summary>8-byte CAS; returns the old value (it swapped iff that equals expected).</summary>
    public async ValueTask<ulong> CompareAndSwapAsync(
        uint regionId, ulong offset, ulong expected, ulong desired)
    {
        var batch = new VerbBatch(1);
        batch.CompareAndSwap(regionId, offset, expected, desired);
        await PostAsync(batch).ConfigureAwait(false);
        return batch.Result(0);
    }

    /// <summary>8-byte fetch-and-add; returns the old value.</summary>
    public async ValueTask<ulong> FetchAndAddAsync(uint regionId, ulong offset, ulong delta)
    {
        var batch = new VerbBatch(1);
        batch.FetchAndAdd(regionId, offset, delta);
        await PostAsync(batch).ConfigureAwait(false);
        return batch.Result(0);
    }

    /// <summary>A two-sided SEND; completes once the target queued the message.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message)
    {
        var batch = new VerbBatch(1);
        batch.Send(message);
        await PostAsync(batch).ConfigureAwait(false);
    }

    /// <summary>
    /// A queue pair that stays on the connection this one uses now. A plain queue pair has one
    /// connection for life and returns itself. A <see cref="ReconnectingQueuePair"/> returns a view
    /// of its current connection: once that connection fails, the view refuses every post, even
    /// after the node is connected again. A protocol operation that takes several roundtrips pins
    /// its nodes when it starts, so that its batches to a node form a prefix of what it posted
    /// there: none lands after an earlier one of it was lost with a connection (RC order within
    /// the operation). The view owns nothing; disposing it does nothing.
    /// </summary>
    public virtual QueuePair Pin() => this;

    public abstract ValueTask DisposeAsync();

    /// <summary>How a post fails once the queue pair is closed.</summary>
    protected virtual (TransportError Error, string Message) ClosedFailure =>
        (TransportError.ConnectionClosed, $"the connection {LocalNode} -> {RemoteNode} is closed");

    protected abstract void PostCore(VerbBatch batch);

    /// <summary>
    /// Moves the state; Closed is final, Error only follows Ready. <paramref name="reason"/> says
    /// why a queue pair closes (<see cref="CloseReason"/>).
    /// </summary>
    protected void SetState(QueuePairState state, string? reason = null)
    {
        while (true)
        {
            var current = Volatile.Read(ref _state);
            if (current == (int)QueuePairState.Closed || current == (int)state)
            {
                return;
            }

            if (state == QueuePairState.Closed)
            {
                Interlocked.CompareExchange(ref _closeReason, reason ?? "closed", null);
            }

            if (Interlocked.CompareExchange(ref _state, (int)state, current) == current)
            {
                if (state == QueuePairState.Closed)
                {
                    Observer?.OnClosed(this);
                }

                return;
            }
        }
    }

    /// <summary>The one completion path of every fabric: state, counters, metrics, then the caller.</summary>
    protected void Complete(VerbBatch batch, TransportError error, int failedOpIndex, string? message)
    {
        switch (error)
        {
            case TransportError.None when batch.IsReset:
                Interlocked.CompareExchange(
                    ref _state, (int)QueuePairState.Ready, (int)QueuePairState.Error);
                break;
            // Errors of an op at the target put the pair in the RC error state. A batch refused
            // at post for a limit (LimitExceeded) never reached the target, so it does not.
            case TransportError.AccessDenied or TransportError.OutOfRange or TransportError.Unaligned
                or TransportError.UnknownRegion or TransportError.NotSupported
                or TransportError.ReceiverNotReady:
                SetState(QueuePairState.Error);
                break;
            case TransportError.Timeout or TransportError.Expired or TransportError.PeerUnreachable
                or TransportError.ConnectionClosed or TransportError.AuthenticationFailed
                or TransportError.MalformedFrame:
                SetState(QueuePairState.Closed, message ?? error.ToString());
                break;
        }

        // Count before completing: the completion may reuse the batch at once.
        var failed = error != TransportError.None;
        var bytes = batch.OutboundBytes + (failed ? 0 : batch.InboundBytes);
        Statistics.Record(batch.Count, batch.OutboundBytes, failed ? 0 : batch.InboundBytes, failed);
        TransportMetrics.Record(Fabric, this, batch.Count, bytes, failed, batch.PostedTimestamp);
        Observer?.OnBatchCompleted(this, batch, error);
        batch.Complete(error, failedOpIndex, message);
    }
}
