using System.Diagnostics;

namespace Grid.RdmaTransport.InProc;

/// <summary>
/// A posted batch travelling through the in-process fabric: executed at the target step by step
/// (one op, or one chunk of a torn WRITE, per step), then completed at the initiator. Schedulers
/// own the timing of both; this type owns what a step does.
/// </summary>
public sealed class InFlightBatch
{
    private readonly InProcQueuePair _queuePair;
    private readonly MemoryEndpoint _target;
    private readonly FabricFaults _faults;
    private readonly int _tornChunkBytes;
    private readonly TimeProvider _clock;
    private readonly BatchDeadline _deadlines;
    private int _nextOp;
    private int _chunkOffset;
    private TransportError _error;
    private int _failedOpIndex = -1;
    private string? _message;

    internal InFlightBatch(
        InProcQueuePair queuePair,
        VerbBatch batch,
        MemoryEndpoint target,
        FabricFaults faults,
        int tornChunkBytes,
        TimeProvider clock,
        BatchDeadline deadlines,
        bool requestDropped,
        bool responseDropped,
        TimeSpan oneWayDelay)
    {
        _queuePair = queuePair;
        Batch = batch;
        _target = target;
        _faults = faults;
        _tornChunkBytes = tornChunkBytes;
        _clock = clock;
        _deadlines = deadlines;
        RequestDropped = requestDropped;
        ResponseDropped = responseDropped;
        OneWayDelay = oneWayDelay;
    }

    public QueuePair QueuePair => _queuePair;

    public NodeId From => _queuePair.LocalNode;

    public NodeId To => _queuePair.RemoteNode;

    public VerbBatch Batch { get; }

    /// <summary>The request never reaches the target: only a timeout completes it.</summary>
    public bool RequestDropped { get; }

    /// <summary>The ops execute but the completion is lost: the initiator times out.</summary>
    public bool ResponseDropped { get; }

    /// <summary>Modelled latency of each direction (real-time scheduler only).</summary>
    public TimeSpan OneWayDelay { get; }

    public bool IsExecuted { get; private set; }

    internal InProcQueuePair Lane => _queuePair;

    /// <summary>
    /// Runs the next step at the target: one op, or the next chunk of a WRITE that is being torn.
    /// Returns true once execution is finished (all ops done, or one failed).
    /// </summary>
    public bool ExecuteStep()
    {
        Debug.Assert(!IsExecuted && !RequestDropped, "stepping a batch that cannot execute");
        if (_faults.IsCrashed(To))
        {
            return Fail(TransportError.PeerUnreachable, _nextOp, $"{To} has crashed");
        }

        if (_queuePair.TargetRestarted)
        {
            return Fail(TransportError.ConnectionClosed, _nextOp,
                $"{To} restarted: this connection died with its old process; connect again");
        }

        if (Batch.IsReset)
        {
            _queuePair.TargetInError = false;
            return Finish();
        }

        if (_queuePair.TargetInError)
        {
            return Fail(TransportError.QueuePairInError, _nextOp,
                $"flushed: an earlier op on {From} -> {To} failed and the queue pair was not reset");
        }

        // The deadline is judged once, when the batch starts to execute at the target.
        if (_nextOp == 0 && _chunkOffset == 0 && _deadlines.Refusal(Batch.NotAfter, _clock.GetUtcNow()) is { } late)
        {
            _queuePair.TargetInError = true;
            return Fail(TransportError.Expired, 0, $"{To} refused the batch: {late}");
        }

        ref var op = ref Batch.Op(_nextOp);
        var error = VerbExecutor.Check(
            _target, From, op.Kind, op.RegionId, op.Offset, op.Length, out var region);
        if (error != TransportError.None)
        {
            _queuePair.TargetInError = true;
            var message = VerbExecutor.Describe(
                error, _target, From, op.Kind, op.RegionId, op.Offset, op.Length);
            return Fail(error, _nextOp, $"op {_nextOp}: {message}");
        }

        if (!ExecuteOp(ref op, region))
        {
            // A torn WRITE has chunks left, or a SEND was refused (then execution is over).
            return IsExecuted;
        }

        _nextOp++;
        return _nextOp == Batch.Count && Finish();
    }

    /// <summary>Runs every step; yields between the chunks of a torn WRITE so readers interleave.</summary>
    public void ExecuteAll()
    {
        while (!ExecuteStep())
        {
            if (_chunkOffset > 0)
            {
                Thread.Yield();
            }
        }
    }

    /// <summary>Delivers the completion (a timeout when either direction was dropped).</summary>
    public void Complete()
    {
        if (RequestDropped || ResponseDropped)
        {
            _queuePair.CompleteFlight(Batch, TransportError.Timeout, -1,
                $"no completion from {To}: the link {From} -> {To} loses " +
                (RequestDropped ? "requests" : "responses"));
            return;
        }

        Debug.Assert(IsExecuted, "completing a batch that has not executed");
        _queuePair.CompleteFlight(Batch, _error, _failedOpIndex, _message);
    }

    private bool ExecuteOp(ref VerbOp op, MemoryRegion region)
    {
        switch (op.Kind)
        {
            case VerbKind.Read:
                VerbExecutor.Read(region, op.Offset, op.Destination.Span);
                return true;
            case VerbKind.Write when _tornChunkBytes > 0 && op.Length > _tornChunkBytes:
                var chunk = Math.Min(_tornChunkBytes, op.Length - _chunkOffset);
                VerbExecutor.Write(
                    region, op.Offset + (ulong)_chunkOffset, op.Source.Span.Slice(_chunkOffset, chunk));
                _chunkOffset += chunk;
                if (_chunkOffset < op.Length)
                {
                    return false;
                }

                _chunkOffset = 0;
                return true;
            case VerbKind.Write:
                VerbExecutor.Write(region, op.Offset, op.Source.Span);
                return true;
            case VerbKind.CompareAndSwap:
                op.Result = VerbExecutor.CompareAndSwap(region, op.Offset, op.Operand, op.Swap);
                return true;
            case VerbKind.FetchAndAdd:
                op.Result = VerbExecutor.FetchAndAdd(region, op.Offset, op.Operand);
                return true;
            case VerbKind.Send:
                var delivered = _target.Deliver(From, op.Source.Span);
                if (delivered != TransportError.None)
                {
                    _queuePair.TargetInError = true;
                    var message = VerbExecutor.Describe(
                        delivered, _target, From, op.Kind, 0, 0, op.Length);
                    Fail(delivered, _nextOp, $"op {_nextOp}: {message}");
                    return false;
                }

                return true;
            default:
                throw new InvalidOperationException($"unknown verb {op.Kind}");
        }
    }

    private bool Fail(TransportError error, int opIndex, string message)
    {
        _error = error;
        _failedOpIndex = opIndex;
        _message = message;
        return Finish();
    }

    private bool Finish()
    {
        IsExecuted = true;
        return true;
    }
}
