namespace Grid.RdmaTransport;

/// <summary>Where a <see cref="ReconnectingQueuePair"/> stands with its node.</summary>
public enum ReconnectState
{
    /// <summary>Connected to the memory it was admitted with; posts go through.</summary>
    Connected,
    /// <summary>The connection failed (or never opened): posts are refused while it redials with back-off.</summary>
    Reconnecting,
    /// <summary>
    /// Connected again to the same memory, but not used until no batch of the old connection can
    /// land any more (its latest deadline plus twice the clock-skew allowance); posts are refused.
    /// </summary>
    Draining,
    /// <summary>
    /// The node answers with memory other than the one admitted (a new incarnation: it restarted
    /// empty, or serves another file): never counted in a quorum until it has been rebuilt.
    /// </summary>
    NeedsRebuild,
    /// <summary>The node belongs to another cluster: refused for good.</summary>
    Refused,
    /// <summary>Disposed.</summary>
    Closed,
}
