using Microsoft.Extensions.Logging;

namespace Grid.RdmaTransport;

/// <summary>The log lines of <see cref="ReconnectingQueuePair"/>.</summary>
internal static partial class ReconnectLog
{
    [LoggerMessage(40, LogLevel.Warning,
        "memory node {Node}: connection lost ({Reason}); refusing batches and reconnecting with back-off")]
    public static partial void ConnectionLost(ILogger logger, string node, string reason);

    [LoggerMessage(41, LogLevel.Debug, "memory node {Node}: reconnect attempt {Attempt} failed: {Reason}")]
    public static partial void AttemptFailed(ILogger logger, string node, int attempt, string reason);

    [LoggerMessage(42, LogLevel.Information,
        "memory node {Node}: reconnected to the same memory (incarnation {Incarnation}) at dial attempt {Attempts}; in use again")]
    public static partial void Readmitted(ILogger logger, string node, int attempts, string incarnation);

    [LoggerMessage(43, LogLevel.Error,
        "memory node {Node} needs rebuild and is not counted in any quorum: {Reason}")]
    public static partial void Refused(ILogger logger, string node, string reason);

    [LoggerMessage(44, LogLevel.Warning,
        "memory node {Node}: rebuilt; its new memory (incarnation {Incarnation}) is counted again once it answers")]
    public static partial void Rebuilt(ILogger logger, string node, string incarnation);
}
