using System.Net.Sockets;
using Grid.RdmaTransport;

namespace Grid.Persistence.MemoryNodes;

/// <summary>
/// The connect step both sources share: one first attempt per node, all at once; a majority must
/// answer; then one <see cref="ReconnectingQueuePair"/> per node, connected or reconnecting.
/// </summary>
internal static class MemoryNodeConnector
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
            RequireMajority(pairs, errors, names);
        }
        catch
        {
            await DisposeAllAsync(pairs).ConfigureAwait(false);
            throw;
        }

        var result = new ReconnectingQueuePair[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new ReconnectingQueuePair(
                client, nodeIds[i], names[i], dialers[i], options.Reconnect, connected: pairs[i],
                logger: options.Logger, notConnectedReason: errors[i]);
        }

        return result;
    }

    private static void RequireMajority(QueuePair?[] pairs, string?[] errors, IReadOnlyList<string> names)
    {
        var reached = pairs.Count(p => p is not null);
        var majority = pairs.Length / 2 + 1;
        if (reached < majority)
        {
            var detail = string.Join("; ", names.Select((n, i) => errors[i] is null ? $"{n}: ok" : $"{n}: {errors[i]}"));
            throw new MemoryNodeUnavailableException(
                $"reached {reached} of {pairs.Length} memory nodes, a majority needs {majority} ({detail})");
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
}
