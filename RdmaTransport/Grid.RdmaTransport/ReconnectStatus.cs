namespace Grid.RdmaTransport;

/// <summary>
/// A snapshot of a <see cref="ReconnectingQueuePair"/> for health reports.
/// </summary>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">Failed dials since the last connection that completed a batch.</param>
/// <param name="Reconnects">How often the node was admitted again after a lost connection.</param>
/// <param name="Detail">Why it is not connected (the last error, the refusal); null when connected.</param>
/// <param name="Admitted">The memory this pair uses: the identity it admitted; null before it knew one.</param>
/// <param name="Seen">The identity the node answered with last, which differs from <paramref name="Admitted"/> when refused.</param>
/// <param name="NextAttemptAt">When it dials next, or uses the new connection (<see cref="ReconnectState.Draining"/>).</param>
public sealed record ReconnectStatus(
    ReconnectState State,
    int Attempts,
    long Reconnects,
    string? Detail,
    MemoryNodeIdentity? Admitted,
    MemoryNodeIdentity? Seen,
    DateTimeOffset? NextAttemptAt);
