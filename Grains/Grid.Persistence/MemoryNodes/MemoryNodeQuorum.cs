using Grid.RdmaTransport;

namespace Grid.Persistence.MemoryNodes;

/// <summary>Connection results of one attempt per node, checked for a majority.</summary>
internal static class MemoryNodeQuorum
{
    public static async Task<IReadOnlyList<QueuePair>> RequireAsync(
        QueuePair?[] pairs, string?[] errors, IReadOnlyList<string> names, NodeId client, IReadOnlyList<NodeId> nodeIds)
    {
        var reached = pairs.Count(p => p is not null);
        var majority = pairs.Length / 2 + 1;
        if (reached < majority)
        {
            foreach (var pair in pairs)
            {
                if (pair is not null)
                {
                    await pair.DisposeAsync().ConfigureAwait(false);
                }
            }

            var detail = string.Join("; ", names.Select((n, i) => errors[i] is null ? $"{n}: ok" : $"{n}: {errors[i]}"));
            throw new MemoryNodeUnavailableException(
                $"reached {reached} of {pairs.Length} memory nodes, a majority needs {majority} ({detail})");
        }

        var result = new QueuePair[pairs.Length];
        for (var i = 0; i < pairs.Length; i++)
        {
            result[i] = pairs[i] ?? new UnreachableQueuePair(client, nodeIds[i], errors[i] ?? "unreachable");
        }

        return result;
    }
}
