namespace Grid.RdmaTransport;

/// <summary>
/// Opens a new connection to one node (a TCP connect and handshake, or an in-process connect),
/// or throws why it cannot. A closed queue pair it returns counts as a failed attempt.
/// </summary>
public delegate Task<QueuePair> QueuePairDialer(CancellationToken cancellationToken);
