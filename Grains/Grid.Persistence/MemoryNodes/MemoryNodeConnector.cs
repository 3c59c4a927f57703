using System.Net.Sockets;
using Grid.RdmaTransport;
using Grid.Replication.Common;
using Microsoft.Extensions.Logging;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// The connect step both sources share: one first attempt per node, all at once; the membership
/// record decides which of the nodes that answered may be counted (and forms it for a new
/// cluster); a majority must be admitted; then one <see cref="ReconnectingQueuePair"/> per node,
/// connected, reconnecting, or refused as needing a rebuild.
/// </summary>
internal static partial class MemoryNodeConnector
{
    public static async Task<IReadOnlyList<ReconnectingQueuePair>> ConnectAsync(
        NodeId client,
        IReadOnlyList<string> names,
        IReadOnlyList<NodeId> nodeIds,
        IReadOnlyList<QueuePairDialer> dialers,
        MemoryNodeConnectOptions options,
        CancellationToken cancellationToken)
    {
        var count = dialers.Count;
        var pairs = new QueuePair?[count];
        var errors = new string?[count];
        MembershipView view;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                try
                {
                    var pair = await dialers[i](cancellationToken).ConfigureAwait(false);
                    if (pair.State == QueuePairState.Closed)
                    {
                        errors[i] = pair.CloseReason ?? "closed";
                        await pair.DisposeAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        pairs[i] = pair;
                    }
                }
                catch (Exception ex) when (ex is TransportException or IOException or SocketException or TimeoutException)
                {
                    // Down or unreachable now: a minority may be, and is redialed. Anything else
                    // (a node whose region is too small) is a configuration error and stops the start.
                    errors[i] = ex.Message;
                }
            })).ConfigureAwait(false);
            RequireMajority(pairs.Select(p => p is not null).ToArray(), errors, names, "reached");
            view = await MemoryNodeMembership.ResolveAsync(
                pairs, options.MembershipOffset, options.Reconnect.TimeProvider, options.Reconnect.UndatedBatchLifetime)
                .ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                if (pairs[i] is not null && view.Nodes[i].Refusal is { } refusal)
                {
                    errors[i] = $"needs rebuild: {refusal}";
                }
            }

            RequireMajority(pairs.Select((p, i) => p is not null && view.Nodes[i].Refusal is null).ToArray(), errors, names, "admitted");
        }
        catch
        {
            await DisposeAllAsync(pairs).ConfigureAwait(false);
            throw;
        }

        if (view.Formed)
        {
            LogFormed(options.Logger, string.Join(", ", names.Select((n, i) => $"{n}: {view.Nodes[i].Member?.IncarnationText}")));
        }

        var result = new ReconnectingQueuePair[count];
        for (var i = 0; i < count; i++)
        {
            var verdict = view.Nodes[i];
            var admitted = verdict.Refusal is null && pairs[i] is not null;
            if (!admitted && pairs[i] is { } refused)
            {
                await refused.DisposeAsync().ConfigureAwait(false);
            }

            result[i] = new ReconnectingQueuePair(
                client, nodeIds[i], names[i], dialers[i], options.Reconnect,
                connected: admitted ? pairs[i] : null,
                admitted: verdict.Member,
                refusal: verdict.Refusal,
                logger: options.Logger,
                notConnectedReason: errors[i],
                connectedDeadline: admitted ? view.LatestDeadline : null);
        }

        return result;
    }

    private static void RequireMajority(bool[] counted, string?[] errors, IReadOnlyList<string> names, string what)
    {
        var reached = counted.Count(c => c);
        var majority = counted.Length / 2 + 1;
        if (reached < majority)
        {
            var detail = string.Join("; ", names.Select((n, i) => counted[i] ? $"{n}: ok" : $"{n}: {errors[i] ?? "not counted"}"));
            throw new MemoryNodeUnavailableException(
                $"{what} {reached} of {counted.Length} memory nodes, a majority needs {majority} ({detail})");
        }
    }

    private static async Task DisposeAllAsync(QueuePair?[] pairs)
    {
        foreach (var pair in pairs)
        {
            if (pair is not null)
            {
                await pair.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(50, LogLevel.Information,
        "memory nodes: wrote the cluster's membership record (the memory each node is counted with): {Members}")]
    private static partial void LogFormed(ILogger logger, string members);
}
