namespace Grid.RdmaTransport.InProc;

/// <summary>A queue pair of the in-process fabric: both ends live in this process.</summary>
internal sealed class InProcQueuePair : QueuePair
{
    private readonly InProcFabric _fabric;

    private readonly MemoryEndpoint.Life _targetLife;

    public InProcQueuePair(InProcFabric fabric, NodeId local, MemoryEndpoint target)
        : this(fabric, local, target, target.CurrentLife)
    {
    }

    private InProcQueuePair(InProcFabric fabric, NodeId local, MemoryEndpoint target, MemoryEndpoint.Life life)
        : base(local, target.Id, target.DescribeRegionsFor(local), life.Identity)
    {
        _fabric = fabric;
        Target = target;
        _targetLife = life;
    }

    public override string Fabric => "inproc";

    public MemoryEndpoint Target { get; }

    /// <summary>
    /// True once the target restarted after this connection opened: the connection died with the
    /// target's old process, so nothing posted on it may reach the new one.
    /// </summary>
    internal bool TargetRestarted => !ReferenceEquals(Target.CurrentLife, _targetLife);

    /// <summary>The target's half of the RC error state: it flushes ops until a reset arrives.</summary>
    internal bool TargetInError { get; set; }

    /// <summary>Guards execution order on this queue pair (real-time scheduler).</summary>
    internal object LaneLock { get; } = new();

    /// <summary>Batches of this queue pair waiting in the real-time scheduler's delay queue.</summary>
    internal int DelayedCount { get; set; }

    internal long LastExecuteDue { get; set; }

    internal long LastCompleteDue { get; set; }

    public override ValueTask DisposeAsync()
    {
        SetState(QueuePairState.Closed, $"the connection {LocalNode} -> {RemoteNode} was closed by this side");
        return ValueTask.CompletedTask;
    }

    /// <summary>The fabric's way into <see cref="QueuePair.Complete"/> (state, counters, then the caller).</summary>
    internal void CompleteFlight(VerbBatch batch, TransportError error, int failedOpIndex, string? message) =>
        Complete(batch, error, failedOpIndex, message);

    protected override void PostCore(VerbBatch batch) => _fabric.Dispatch(this, batch);
}
