namespace Grid.RdmaTransport;

/// <summary>
/// A queue pair to a node that could not be reached when it was opened: closed from the start,
/// every post fails with the reason. Quorum protocols (SWARM needs f+1 of 2f+1) start with it in
/// the place of a minority of dead nodes instead of refusing to start.
/// </summary>
public sealed class UnreachableQueuePair : QueuePair
{
    private readonly string _reason;

    public UnreachableQueuePair(NodeId localNode, NodeId remoteNode, string reason)
        : base(localNode, remoteNode, [])
    {
        _reason = reason;
        SetState(QueuePairState.Closed, reason);
    }

    /// <summary>Why the node could not be reached.</summary>
    public string Reason => _reason;

    public override string Fabric => "none";

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected override (TransportError Error, string Message) ClosedFailure =>
        (TransportError.PeerUnreachable, _reason);

    /// <summary>Never reached: the pair is closed from the start, so posts fail in the base class.</summary>
    protected override void PostCore(VerbBatch batch) =>
        throw new InvalidOperationException("an unreachable queue pair posts nothing");
}
