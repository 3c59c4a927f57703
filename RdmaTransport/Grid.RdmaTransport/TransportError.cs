namespace Grid.RdmaTransport;

/// <summary>
/// Why a verb, a batch or a connection failed. The values are part of the TCP wire format: append
/// only, never renumber (pinned by WireFormatStabilityTests).
/// </summary>
public enum TransportError : byte
{
    None = 0,
    /// <summary>The target refused the op: the initiator lacks the right on the region.</summary>
    AccessDenied = 1,
    /// <summary>Offset and length fall outside the region.</summary>
    OutOfRange = 2,
    /// <summary>An 8-byte atomic at an offset that is not a multiple of 8.</summary>
    Unaligned = 3,
    /// <summary>The target has no region with that id.</summary>
    UnknownRegion = 4,
    /// <summary>A SEND found the target's receive queue full (RDMA's RNR).</summary>
    ReceiverNotReady = 5,
    /// <summary>The op was flushed: an earlier op on this queue pair failed and it was not reset.</summary>
    QueuePairInError = 6,
    /// <summary>No completion within the operation timeout; the connection is closed.</summary>
    Timeout = 7,
    /// <summary>The target (or the initiator itself) has crashed or cannot be reached.</summary>
    PeerUnreachable = 8,
    /// <summary>The connection was closed, by either side or by an earlier failure.</summary>
    ConnectionClosed = 9,
    /// <summary>The peer does not hold the cluster key.</summary>
    AuthenticationFailed = 10,
    /// <summary>A frame that does not parse: wrong magic, version, checksum or layout.</summary>
    MalformedFrame = 11,
    /// <summary>A frame, batch or queue above a configured limit.</summary>
    LimitExceeded = 12,
    /// <summary>The target does not serve this verb (a memory node accepts no SENDs).</summary>
    NotSupported = 13,
    /// <summary>
    /// The batch reached the target after its deadline (<see cref="VerbBatch.NotAfter"/>), or with
    /// a deadline further ahead than a batch may live: it did not execute, and the connection is
    /// closed like after a timeout.
    /// </summary>
    Expired = 14,
}
