using System.Collections.Concurrent;
using Grid.RdmaTransport;
using Grid.Replication.Common;
using Grid.Replication.Swarm;
using Microsoft.Extensions.Logging;

namespace Grid.Persistence.Swarm;

/// <summary>
/// Brings back a memory node that came back empty (a new incarnation, refused as needing a
/// rebuild), with no silo restart and while writes go on (SWARM README, "Rebuilding a node that
/// came back empty"). Each step, run from the provider's sweep loop, looks at every refused node:
/// <list type="number">
/// <item>if the membership record names its new memory already (another silo rebuilt it), the
/// node's pair admits it;</item>
/// <item>otherwise, once every other node is in use and <see cref="SwarmOptions.MaxInFlight"/> has
/// passed since the new memory was first seen (no batch that counted the lost memory can land on a
/// survivor after that), a repair pass makes the survivors agree on everything a quorum must see;
/// then the record is changed to name the new memory, and the pair admits it. It joins empty.</item>
/// </list>
/// Several silos may rebuild one node at once: passes only write back what reads return, and the
/// record's change is one CAS per node.
/// </summary>
internal sealed partial class MemoryNodeRebuilder(
    string name, ulong membershipOffset, TimeSpan maxInFlight, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<int, string> _progress = new();
    private readonly Dictionary<(int Node, ulong Incarnation), DateTimeOffset> _firstSeen = [];
    private readonly ConcurrentDictionary<int, bool> _completing = new();

    /// <summary>Where the rebuild of node <paramref name="node"/> stands, for people; null when none is under way.</summary>
    public string? Progress(int node) =>
        _progress.TryGetValue(node, out var progress) ? progress
        : _completing.ContainsKey(node) ? "admitted; filling in its membership record" : null;

    /// <summary>One look at every refused node; rebuilds at most one of them.</summary>
    public async Task StepAsync(SwarmKvStore store, IReadOnlyList<ReconnectingQueuePair> pairs, IReadOnlyList<string> names)
    {
        if (!_completing.IsEmpty)
        {
            // An admitted node joined with an empty membership record: fill it in, before any other
            // rebuild, which needs the records of its survivors (the admitted node among them) whole.
            var ready = pairs.Select(p => p.State == QueuePairState.Ready ? (QueuePair)p : null).ToList();
            if (await MemoryNodeMembership.CompleteAsync(ready, membershipOffset, time, maxInFlight).ConfigureAwait(false))
            {
                _completing.Clear();
            }

            return;
        }

        for (var node = 0; node < pairs.Count; node++)
        {
            var status = pairs[node].Status;
            if (status is not { State: ReconnectState.NeedsRebuild, Seen: { } seen, Admitted: { } admitted }
                || seen.ClusterId != admitted.ClusterId || seen.Incarnation == admitted.Incarnation)
            {
                _progress.TryRemove(node, out _);
                continue;
            }

            var others = pairs.Select((p, i) => i == node || p.State != QueuePairState.Ready ? null : (QueuePair)p).ToList();
            var named = await MemoryNodeMembership.NamedAsync(others, membershipOffset, node, time, maxInFlight)
                .ConfigureAwait(false);
            if (named == seen.Incarnation)
            {
                Admit(node, pairs[node], names[node], seen, repairedKeys: null);
                continue;
            }

            var unusable = Enumerable.Range(0, pairs.Count)
                .Where(i => i != node && (others[i] is null || store.MissedNodes.Contains(i))).ToList();
            if (unusable.Count > 0)
            {
                _progress[node] = $"waiting: every other memory node must be in use ({string.Join(", ", unusable.Select(i => names[i]))} is not)";
                continue;
            }

            var now = time.GetUtcNow();
            if (!_firstSeen.TryGetValue((node, seen.Incarnation), out var first))
            {
                _firstSeen[(node, seen.Incarnation)] = first = now;
            }

            if (now - first < maxInFlight)
            {
                // A short wait, so the rebuild does not wait for the next sweep.
                _progress[node] = $"waiting {(first + maxInFlight - now).TotalMilliseconds:0} ms for batches that counted the lost memory";
                await Task.Delay(first + maxInFlight - now, time).ConfigureAwait(false);
            }

            LogRebuilding(logger, name, names[node], seen.IncarnationText);
            _progress[node] = "repairing the other nodes: starting";
            var repaired = await store.RepairAsync([node], new Progress<(int Done, int Total)>(p =>
                _progress[node] = $"repairing the other nodes: {p.Done} of {p.Total} buckets")).ConfigureAwait(false);
            _progress[node] = "admitting: changing the membership record";
            if (await MemoryNodeMembership.ReplaceAsync(
                    others, membershipOffset, node, admitted.Incarnation, seen.Incarnation, time, maxInFlight).ConfigureAwait(false))
            {
                Admit(node, pairs[node], names[node], seen, repaired);
                await CompleteRecordSoonAsync(pairs).ConfigureAwait(false);
            }

            return;
        }
    }

    /// <summary>
    /// Fills in the admitted node's record as soon as its pair is in use (after the old
    /// connections' drain, about <see cref="SwarmOptions.MaxInFlight"/>), rather than at the next
    /// sweep: until then no other node can be rebuilt.
    /// </summary>
    private async Task CompleteRecordSoonAsync(IReadOnlyList<ReconnectingQueuePair> pairs)
    {
        var until = time.GetUtcNow() + 2 * maxInFlight;
        while (pairs.Any(p => p.State != QueuePairState.Ready) && time.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time).ConfigureAwait(false);
        }

        var ready = pairs.Select(p => p.State == QueuePairState.Ready ? (QueuePair)p : null).ToList();
        if (await MemoryNodeMembership.CompleteAsync(ready, membershipOffset, time, maxInFlight).ConfigureAwait(false))
        {
            _completing.Clear();
        }
    }

    private void Admit(int index, ReconnectingQueuePair pair, string node, MemoryNodeIdentity identity, int? repairedKeys)
    {
        _completing[index] = true;
        foreach (var seen in _firstSeen.Keys.Where(k => k.Node == index).ToList())
        {
            _firstSeen.Remove(seen);
        }

        if (pair.Admit(identity))
        {
            LogRebuilt(logger, name, node, identity.IncarnationText,
                repairedKeys?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none here (another silo rebuilt it)");
        }

        _progress.TryRemove(index, out _);
    }

    [LoggerMessage(20, LogLevel.Warning,
        "SWARM grain storage {Name}: rebuilding memory node {Node}, which came back empty (incarnation {Incarnation}): repairing the other nodes, then admitting it")]
    private static partial void LogRebuilding(ILogger logger, string name, string node, string incarnation);

    [LoggerMessage(21, LogLevel.Warning,
        "SWARM grain storage {Name}: memory node {Node} rebuilt; its new memory (incarnation {Incarnation}) is counted again, empty (keys repaired: {Repaired})")]
    private static partial void LogRebuilt(ILogger logger, string name, string node, string incarnation, string repaired);
}
