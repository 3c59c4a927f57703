using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Grid.RdmaTransport;

/// <summary>
/// Ops posted together on one queue pair: they execute in order at the target and complete as
/// one roundtrip (DESIGN.md, transport contract). If an op fails, the ops before it have
/// executed, the failing one and those after it have not, and the queue pair enters the error
/// state until reset, like an RDMA RC queue pair.
/// A batch is reusable: fill it, post it, await it (or take the handler's callback), read the
/// results, <see cref="Clear"/> it. It may be posted again only after it completed; hot paths keep
/// one per in-flight slot and allocate nothing per roundtrip.
/// </summary>
public sealed class VerbBatch : IValueTaskSource
{
    private VerbOp[] _ops;
    private ManualResetValueTaskSourceCore<bool> _completion;
    private int _posted;
    private DateTimeOffset? _notAfter;

    public VerbBatch(int capacity = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ops = new VerbOp[capacity];
        _completion.RunContinuationsAsynchronously = false;
    }

    public int Count { get; private set; }

    /// <summary>When set, completion calls it instead of completing the awaitable.</summary>
    public IBatchCompletionHandler? CompletionHandler { get; set; }

    /// <summary>Free for the caller: which operation or slot this batch belongs to.</summary>
    public object? UserState { get; set; }

    public TransportError Error { get; private set; }

    /// <summary>The op that failed, or -1 when the whole batch failed (or none did).</summary>
    public int FailedOpIndex { get; private set; } = -1;

    public string? ErrorMessage { get; private set; }

    public bool IsPosted => Volatile.Read(ref _posted) != 0;

    /// <summary>
    /// When set, the target runs the batch only until this time (its clock, within its skew
    /// allowance) and refuses it afterwards with <see cref="TransportError.Expired"/>: a batch
    /// then lands within a bounded time of being stamped, or never (<see cref="BatchDeadline"/>).
    /// Protocols stamp it from their own clock before deciding to post, so a pause between the
    /// decision and the send can only make the batch expire, never land late.
    /// </summary>
    public DateTimeOffset? NotAfter
    {
        get => _notAfter;
        set
        {
            _notAfter = value;
            DeadlineStamped = false;
        }
    }

    /// <summary>
    /// True when <see cref="NotAfter"/> was set by a <see cref="ReconnectingQueuePair"/> because
    /// the caller set none; such a deadline is stamped afresh at every post.
    /// </summary>
    internal bool DeadlineStamped { get; private set; }

    internal long PostedTimestamp { get; set; }

    internal bool IsReset { get; private set; }

    /// <summary>Bytes this batch carries towards the target (WRITE and SEND payloads).</summary>
    internal long OutboundBytes { get; private set; }

    /// <summary>Bytes this batch brings back (READ destinations).</summary>
    internal long InboundBytes { get; private set; }

    public int Read(uint regionId, ulong offset, Memory<byte> destination) =>
        Add(new VerbOp
        {
            Kind = VerbKind.Read,
            RegionId = regionId,
            Offset = offset,
            Length = destination.Length,
            Destination = destination,
        });

    public int Write(uint regionId, ulong offset, ReadOnlyMemory<byte> source) =>
        Add(new VerbOp
        {
            Kind = VerbKind.Write,
            RegionId = regionId,
            Offset = offset,
            Length = source.Length,
            Source = source,
        });

    /// <summary>8-byte compare-and-swap; <see cref="Result"/> is the old value.</summary>
    public int CompareAndSwap(uint regionId, ulong offset, ulong expected, ulong desired) =>
        Add(new VerbOp
        {
            Kind = VerbKind.CompareAndSwap,
            RegionId = regionId,
            Offset = offset,
            Length = 8,
            Operand = expected,
            Swap = desired,
        });

    /// <summary>8-byte fetch-and-add (wrapping); <see cref="Result"/> is the old value.</summary>
    public int FetchAndAdd(uint regionId, ulong offset, ulong delta) =>
        Add(new VerbOp
        {
            Kind = VerbKind.FetchAndAdd,
            RegionId = regionId,
            Offset = offset,
            Length = 8,
            Operand = delta,
        });

    /// <summary>A two-sided SEND into the target's receive queue.</summary>
    public int Send(ReadOnlyMemory<byte> message) =>
        Add(new VerbOp { Kind = VerbKind.Send, Length = message.Length, Source = message });

    /// <summary>The old value returned by the CAS or FAA at <paramref name="index"/>.</summary>
    public ulong Result(int index)
    {
        var op = OpAt(index);
        if (op.Kind is not (VerbKind.CompareAndSwap or VerbKind.FetchAndAdd))
        {
            throw new InvalidOperationException($"op {index} is a {op.Kind}, which has no result");
        }

        return op.Result;
    }

    /// <summary>Whether the CAS at <paramref name="index"/> swapped.</summary>
    public bool Swapped(int index)
    {
        var op = OpAt(index);
        if (op.Kind != VerbKind.CompareAndSwap)
        {
            throw new InvalidOperationException($"op {index} is a {op.Kind}, not a CAS");
        }

        return op.Result == op.Operand;
    }

    /// <summary>Empties the batch for reuse.</summary>
    public void Clear()
    {
        ThrowIfPosted();
        Array.Clear(_ops, 0, Count);
        Count = 0;
        OutboundBytes = 0;
        InboundBytes = 0;
        IsReset = false;
        NotAfter = null;
        Error = TransportError.None;
        FailedOpIndex = -1;
        ErrorMessage = null;
    }

    /// <summary>Throws the batch's error, if it has one.</summary>
    public void ThrowIfFailed()
    {
        if (Error != TransportError.None)
        {
            throw new TransportException(Error, ErrorMessage ?? Error.ToString(), FailedOpIndex);
        }
    }

    internal ref VerbOp Op(int index) => ref _ops[index];

    /// <summary>Gives a batch the caller left undated a deadline (see <see cref="DeadlineStamped"/>).</summary>
    internal void StampDeadline(DateTimeOffset notAfter)
    {
        _notAfter = notAfter;
        DeadlineStamped = true;
    }

    internal void MarkAsReset()
    {
        ThrowIfPosted();
        IsReset = true;
    }

    internal void BeginPost()
    {
        if (Interlocked.Exchange(ref _posted, 1) != 0)
        {
            throw new InvalidOperationException("this batch is already posted and not completed");
        }

        if (Count == 0 && !IsReset)
        {
            Volatile.Write(ref _posted, 0);
            throw new InvalidOperationException("an empty batch cannot be posted");
        }

        Error = TransportError.None;
        FailedOpIndex = -1;
        ErrorMessage = null;
        _completion.Reset();
    }

    /// <summary>Called exactly once per post by the fabric.</summary>
    internal void Complete(TransportError error, int failedOpIndex, string? message)
    {
        Debug.Assert(IsPosted, "completing a batch that is not posted");
        Error = error;
        FailedOpIndex = error == TransportError.None ? -1 : failedOpIndex;
        ErrorMessage = message;
        Volatile.Write(ref _posted, 0);
        var handler = CompletionHandler;
        if (handler is not null)
        {
            handler.OnBatchCompleted(this);
        }
        else
        {
            _completion.SetResult(true);
        }
    }

    internal ValueTask AsValueTask() => new(this, _completion.Version);

    void IValueTaskSource.GetResult(short token)
    {
        _completion.GetResult(token);
        ThrowIfFailed();
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) =>
        _completion.GetStatus(token) == ValueTaskSourceStatus.Pending
            ? ValueTaskSourceStatus.Pending
            : Error == TransportError.None
                ? ValueTaskSourceStatus.Succeeded
                : ValueTaskSourceStatus.Faulted;

    void IValueTaskSource.OnCompleted(
        Action<object?> continuation,
        object? state,
        short token,
        ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    private int Add(in VerbOp op)
    {
        ThrowIfPosted();
        if (Count == _ops.Length)
        {
            Array.Resize(ref _ops, _ops.Length * 2);
        }

        _ops[Count] = op;
        if (op.Kind is VerbKind.Write or VerbKind.Send)
        {
            OutboundBytes += op.Length;
        }
        else if (op.Kind == VerbKind.Read)
        {
            InboundBytes += op.Length;
        }

        return Count++;
    }

    private ref VerbOp OpAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return ref _ops[index];
    }

    private void ThrowIfPosted()
    {
        if (IsPosted)
        {
            throw new InvalidOperationException("a posted batch cannot be changed until it completes");
        }
    }
}
