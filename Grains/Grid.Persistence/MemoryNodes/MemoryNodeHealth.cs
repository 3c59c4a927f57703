using Grid.RdmaTransport;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// One memory node as a silo's storage sees it: its name (address), the state of the queue pair
/// SWARM posts on, and where its reconnecting pair stands (connected, reconnecting with the
/// attempt count, draining, needs rebuild, refused), and whether the silo's SWARM writer skips
/// it because its recovery could not read it (<see cref="Missed"/>), and where a rebuild of it
/// stands when it came back empty (<see cref="Rebuild"/>).
/// </summary>
public sealed record MemoryNodeHealth(
    string Name, QueuePairState State, ReconnectStatus? Connection = null, bool Missed = false, string? Rebuild = null)
{
    /// <summary>Counted in quorums now: connected, its queue pair ready, and read by the writer's recovery.</summary>
    public bool Reachable => State == QueuePairState.Ready && !Missed;

    /// <summary>
    /// The connection's state for people and scripts: <c>connected</c>, <c>reconnecting</c>,
    /// <c>draining</c>, <c>needs-rebuild</c>, <c>refused</c>, <c>closed</c>, or <c>not-recovered</c>
    /// (connected, but not read by the writer's recovery: the writer restarts to read it).
    /// </summary>
    public string ConnectionState => Connection?.State switch
    {
        ReconnectState.Connected when Missed && State == QueuePairState.Ready => "not-recovered",
        ReconnectState.Connected => State == QueuePairState.Error ? "error" : "connected",
        ReconnectState.Reconnecting => "reconnecting",
        ReconnectState.Draining => "draining",
        ReconnectState.NeedsRebuild => "needs-rebuild",
        ReconnectState.Refused => "refused",
        ReconnectState.Closed => "closed",
        _ => State == QueuePairState.Ready ? "connected" : State.ToString().ToLowerInvariant(),
    };

    /// <summary>A short note on a node that is not counted now, for the health description; null when it is.</summary>
    public string? Note => Connection?.State switch
    {
        ReconnectState.Connected or null => Reachable ? null : $"{Name} {ConnectionState}",
        ReconnectState.Reconnecting => $"{Name} reconnecting (attempt {Connection.Attempts})",
        ReconnectState.NeedsRebuild when Rebuild is not null => $"{Name} needs-rebuild ({Rebuild})",
        _ => $"{Name} {ConnectionState}",
    };
}
