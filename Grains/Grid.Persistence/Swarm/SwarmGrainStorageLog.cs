using Microsoft.Extensions.Logging;

namespace Grid.Persistence.Swarm;

internal static partial class SwarmGrainStorageLog
{
    [LoggerMessage(1, LogLevel.Information,
        "SWARM grain storage {Name}: writer {WriterId} ({IdSource}) connected to {MemoryNodes} ({Reachable} of {Count} reachable, region {RegionBytes} bytes)")]
    public static partial void Connected(ILogger logger, string name, int writerId, string idSource, string memoryNodes, int reachable, int count, long regionBytes);

    [LoggerMessage(2, LogLevel.Warning,
        "SWARM grain storage {Name}: {GrainId} state {StateName} was written by another activation since this silo last saw it; this write landed, the grain is deactivated to re-read")]
    public static partial void ConcurrentActivation(ILogger logger, string name, string grainId, string stateName);

    [LoggerMessage(3, LogLevel.Error,
        "SWARM grain storage {Name}: {Operation} of {GrainId} state {StateName} failed")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string name, string operation, string grainId, string stateName);

    [LoggerMessage(4, LogLevel.Debug, "SWARM grain storage {Name}: released {Released} deleted states")]
    public static partial void Swept(ILogger logger, string name, int released);

    [LoggerMessage(5, LogLevel.Warning, "SWARM grain storage {Name}: sweep of deleted states failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(8, LogLevel.Warning,
        "SWARM grain storage {Name}: no timestamp refresh over every memory node has finished for {Since}; writes fail once that reaches {Deadline} (is a memory node unreachable?)")]
    public static partial void TimestampRefreshOverdue(ILogger logger, string name, TimeSpan since, TimeSpan deadline);

    [LoggerMessage(9, LogLevel.Critical,
        "SWARM grain storage {Name}: lost the lease of writer id {WriterId}: {Reason}")]
    public static partial void WriterLeaseLost(ILogger logger, string name, int writerId, string? reason);

    [LoggerMessage(10, LogLevel.Warning,
        "SWARM grain storage {Name}: writer id {OldWriterId} was lost; now writing as writer {WriterId}")]
    public static partial void WriterReplaced(ILogger logger, string name, int oldWriterId, int writerId);

    [LoggerMessage(11, LogLevel.Error,
        "SWARM grain storage {Name}: could not lease another writer id; trying again")]
    public static partial void WriterReplaceFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(12, LogLevel.Information,
        "SWARM grain storage {Name}: writer id {WriterId} restarted to recover memory node(s) {Nodes}, which its start could not read; {StillMissed} still missed")]
    public static partial void WriterRestartedForMissedNodes(ILogger logger, string name, int writerId, string nodes, int stillMissed);

    [LoggerMessage(6, LogLevel.Information, "SWARM grain storage {Name}: closed")]
    public static partial void Closed(ILogger logger, string name);
}
