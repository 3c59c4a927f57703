namespace Grid.RdmaTransport;

/// <summary>The state of a queue pair, after RDMA RC semantics.</summary>
public enum QueuePairState
{
    /// <summary>Posts execute.</summary>
    Ready,
    /// <summary>An op failed at the target; posts are flushed until <see cref="QueuePair.ResetAsync"/>.</summary>
    Error,
    /// <summary>The connection is gone (timeout, peer crash, close); open a new one.</summary>
    Closed,
}
