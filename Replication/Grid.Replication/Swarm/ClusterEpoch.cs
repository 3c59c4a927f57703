using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

/// <summary>
/// The origin of a cluster's timestamps, in the header word of every memory node: the first
/// client CASes its clock into it, later ones read it. Disagreement (two first clients racing)
/// only skews guesses, which spec §1 allows: clocks affect performance, never correctness.
/// </summary>
internal static class ClusterEpoch
{
    public static async Task<DateTimeOffset> GetOrSetAsync(IReadOnlyList<QueuePair> nodes, TimeProvider time)
    {
        var now = (ulong)(time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
        var batches = new VerbBatch?[nodes.Count];
        for (var i = 0; i < batches.Length; i++)
        {
            batches[i] = new VerbBatch(1);
            batches[i]!.CompareAndSwap(0, 0, 0, now);
        }

        var call = await QuorumCall.RunAsync(nodes, batches, nodes.Count / 2 + 1).ConfigureAwait(false);
        ulong epoch = 0;
        for (var i = 0; i < nodes.Count; i++)
        {
            if (call.Succeeded[i])
            {
                var old = batches[i]!.Result(0);
                epoch = Math.Max(epoch, old == 0 ? now : old);
            }
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch / 1000));
    }
}
