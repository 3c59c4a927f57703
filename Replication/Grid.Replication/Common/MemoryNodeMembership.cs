using System.Buffers.Binary;
using System.Globalization;
using Grid.RdmaTransport;

namespace Grid.Replication.Common;

/// <summary>
/// The cluster's membership record: which memory, on each of the 2f+1 memory nodes, a client may
/// count in a quorum. A client that starts knows nothing of the nodes' past, and a node that
/// restarted empty looks exactly like a new one (zeroed memory, a fresh incarnation). So every node
/// j keeps, in <see cref="RecordBytes"/> at a fixed offset, one word M[j][i] per node i: the
/// incarnation of node i's memory when the cluster was formed (0: none yet). Words are only ever
/// set by CAS from 0, never changed.
/// <list type="bullet">
/// <item><b>Admission.</b> Node i may be counted iff its incarnation now is the value x that a
/// majority of all n nodes hold in slot i (at most one value can have a majority).</item>
/// <item><b>Forming.</b> A client writes words only when every one of the n nodes answers, all in
/// one cluster, and in every slot every non-zero word equals that node's incarnation now. Then it
/// CASes each zero word from 0 to that incarnation. A brand-new cluster (all zero) is formed this
/// way, and a formation cut short is completed.</item>
/// </list>
/// Why no empty restarted node is ever counted: an acknowledged write went to a majority that
/// counted node i with incarnation y, so y held a majority in slot i, which words never lose. A
/// node i that comes back empty has a new incarnation, which can never reach a majority there: the
/// words holding y are never changed, and forming writes words only when no slot holds a non-zero
/// word other than the node's current incarnation (so not while y is there). With only some nodes
/// answering, a client cannot tell nodes that restarted empty from new ones, so it forms nothing;
/// the nodes it cannot place are never counted (README of Grid.Persistence, "Memory nodes that come
/// back").
/// </summary>
public static class MemoryNodeMembership
{
    /// <summary>Most memory nodes a record has room for.</summary>
    public const int NodesMax = 16;

    /// <summary>Bytes of the record on each node: one u64 per possible node.</summary>
    public const int RecordBytes = NodesMax * 8;

    /// <summary>
    /// Reads the record from every connected node, forms or completes it when allowed, and says
    /// per node whether it may be counted. <paramref name="nodes"/> holds one connection per node
    /// in the cluster's order, null for a node that did not answer. Batches carry deadlines of now
    /// + <paramref name="batchLifetime"/>; the latest is in <see cref="MembershipView.LatestDeadline"/>.
    /// </summary>
    public static async Task<MembershipView> ResolveAsync(
        IReadOnlyList<QueuePair?> nodes, ulong offset, TimeProvider time, TimeSpan batchLifetime)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(time);
        if (nodes.Count is 0 or > NodesMax)
        {
            throw new ArgumentException($"a membership record holds 1 to {NodesMax} memory nodes, not {nodes.Count}", nameof(nodes));
        }

        var n = nodes.Count;
        var majority = n / 2 + 1;
        var identities = nodes.Select(p => p?.RemoteIdentity).ToArray();
        var cluster = identities.OfType<MemoryNodeIdentity>().GroupBy(i => i.ClusterId)
            .FirstOrDefault(g => g.Count() >= majority)?.Key;
        var deadline = DateTimeOffset.MinValue;
        if (cluster is null)
        {
            var seen = string.Join(", ", identities.Select((id, i) => $"node {i}: {id?.ClusterId ?? "no answer"}"));
            return new MembershipView(null, Enumerable.Repeat(
                new MembershipVerdict(null, $"no majority of the memory nodes answers as one cluster ({seen})"), n).ToArray(),
                Formed: false, deadline);
        }

        var members = identities.Select(id => id?.ClusterId == cluster ? id : null).ToArray();
        var records = new ulong[]?[n];
        await Task.WhenAll(Enumerable.Range(0, n).Where(j => members[j] is not null).Select(async j =>
        {
            var batch = Stamp(new VerbBatch(1), time, batchLifetime, ref deadline);
            var bytes = new byte[n * 8];
            batch.Read(0, offset, bytes);
            if (await TryPostAsync(nodes[j]!, batch).ConfigureAwait(false))
            {
                records[j] = Enumerable.Range(0, n).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 8))).ToArray();
            }
        })).ConfigureAwait(false);

        var formed = false;
        if (MayForm(records, members))
        {
            deadline = await FormAsync(nodes, members, records, offset, time, batchLifetime, deadline).ConfigureAwait(false);
            formed = true;
        }

        var verdicts = new MembershipVerdict[n];
        for (var i = 0; i < n; i++)
        {
            verdicts[i] = Judge(i, nodes, identities, members, records, cluster, majority);
        }

        return new MembershipView(cluster, verdicts, formed, deadline);
    }

    /// <summary>
    /// Whether this client may write words: every node answered in the cluster and was read, every
    /// non-zero word equals its node's incarnation now, and some word is still zero.
    /// </summary>
    private static bool MayForm(ulong[]?[] records, MemoryNodeIdentity?[] members)
    {
        if (records.Any(r => r is null))
        {
            return false;
        }

        var anyZero = false;
        foreach (var record in records)
        {
            for (var i = 0; i < record!.Length; i++)
            {
                if (record[i] == 0)
                {
                    anyZero = true;
                }
                else if (record[i] != members[i]!.Incarnation)
                {
                    return false;
                }
            }
        }

        return anyZero;
    }

    /// <summary>CASes every zero word from 0 to its node's incarnation; the records take what each CAS found or wrote.</summary>
    private static async Task<DateTimeOffset> FormAsync(
        IReadOnlyList<QueuePair?> nodes, MemoryNodeIdentity?[] members, ulong[]?[] records, ulong offset,
        TimeProvider time, TimeSpan batchLifetime, DateTimeOffset deadline)
    {
        var n = nodes.Count;
        await Task.WhenAll(Enumerable.Range(0, n).Select(async j =>
        {
            var record = records[j]!;
            var slots = Enumerable.Range(0, n).Where(i => record[i] == 0).ToArray();
            if (slots.Length == 0)
            {
                return;
            }

            var batch = Stamp(new VerbBatch(slots.Length), time, batchLifetime, ref deadline);
            foreach (var i in slots)
            {
                batch.CompareAndSwap(0, offset + (ulong)(i * 8), 0, members[i]!.Incarnation);
            }

            if (!await TryPostAsync(nodes[j]!, batch).ConfigureAwait(false))
            {
                records[j] = null; // unknown which of its CASes ran
                return;
            }

            for (var k = 0; k < slots.Length; k++)
            {
                var old = batch.Result(k);
                record[slots[k]] = old == 0 ? members[slots[k]]!.Incarnation : old;
            }
        })).ConfigureAwait(false);
        return deadline;
    }

    private static MembershipVerdict Judge(
        int i, IReadOnlyList<QueuePair?> nodes, MemoryNodeIdentity?[] identities, MemoryNodeIdentity?[] members,
        ulong[]?[] records, string cluster, int majority)
    {
        if (identities[i] is { } other && members[i] is null)
        {
            return new MembershipVerdict(null, $"it belongs to cluster '{other.ClusterId}', the others to '{cluster}'");
        }

        var named = records.OfType<ulong[]>().Select(r => r[i]).Where(w => w != 0)
            .GroupBy(w => w).FirstOrDefault(g => g.Count() >= majority)?.Key;
        if (named is not { } incarnation)
        {
            var read = records.Count(r => r is not null);
            var why = records.OfType<ulong[]>().All(r => r.All(w => w == 0))
                ? $"the memory nodes that answer hold no membership record, and {read} of {nodes.Count} answer: a " +
                  "record is written only when all the cluster's nodes answer, since a node that restarted empty " +
                  "looks the same as a new one"
                : $"no majority of the membership record names a memory for it (slot {i}: " +
                  string.Join(", ", records.Select((r, j) => r is null ? $"node {j}: unread" : $"node {j}: {Hex(r[i])}")) + ")";
            return new MembershipVerdict(null, why);
        }

        var expected = new MemoryNodeIdentity(cluster, incarnation);
        if (members[i] is { } now && now.Incarnation != incarnation)
        {
            return new MembershipVerdict(expected,
                $"its memory (incarnation {now.IncarnationText}) is not the one the cluster's membership record names " +
                $"({expected.IncarnationText}): it restarted empty or serves other memory, and lacks what the cluster wrote");
        }

        return new MembershipVerdict(expected, null);
    }

    /// <summary>
    /// The incarnation a majority of all n nodes holds in slot <paramref name="slot"/> of the
    /// record, read from the nodes given (null: not read); null when no value has a majority
    /// among the nodes that answered.
    /// </summary>
    public static async Task<ulong?> NamedAsync(
        IReadOnlyList<QueuePair?> nodes, ulong offset, int slot, TimeProvider time, TimeSpan batchLifetime)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var words = await SlotWordsAsync(nodes, offset, slot, time, batchLifetime, replaceFrom: null, replaceTo: 0)
            .ConfigureAwait(false);
        return Majority(words, nodes.Count);
    }

    /// <summary>
    /// A rebuild's admission (SWARM README, "Rebuilding a node that came back empty"): changes slot
    /// <paramref name="slot"/> from the memory it named (<paramref name="from"/>) to the empty
    /// memory that replaced it (<paramref name="to"/>) by CAS on every node given. The only change
    /// the record allows besides forming; the caller has first made the other nodes agree on
    /// everything a quorum must see, so that counting the empty memory hides nothing. Returns
    /// whether a majority of all n nodes names <paramref name="to"/> now.
    /// </summary>
    public static async Task<bool> ReplaceAsync(
        IReadOnlyList<QueuePair?> nodes, ulong offset, int slot, ulong from, ulong to, TimeProvider time, TimeSpan batchLifetime)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (from == 0 || to == 0 || from == to)
        {
            throw new ArgumentException($"a replacement changes one memory's incarnation to another's, not {Hex(from)} to {Hex(to)}");
        }

        var words = await SlotWordsAsync(nodes, offset, slot, time, batchLifetime, from, to).ConfigureAwait(false);
        return Majority(words, nodes.Count) == to;
    }

    /// <summary>
    /// Fills the zero words of the records with what a majority of all n nodes holds in that
    /// slot (CAS from 0), on the nodes given (null: skipped): a node rebuilt empty joins with an
    /// empty record, and a later rebuild or client start needs it to hold its share. Never a value
    /// without a majority among the records read, so no memory gains a majority it did not have.
    /// Returns whether every node was given, answered and holds a word in every slot now.
    /// </summary>
    public static async Task<bool> CompleteAsync(IReadOnlyList<QueuePair?> nodes, ulong offset, TimeProvider time, TimeSpan batchLifetime)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var n = nodes.Count;
        var deadline = DateTimeOffset.MinValue;
        var records = new ulong[]?[n];
        await Task.WhenAll(Enumerable.Range(0, n).Where(j => nodes[j] is not null).Select(async j =>
        {
            var batch = Stamp(new VerbBatch(1), time, batchLifetime, ref deadline);
            var bytes = new byte[n * 8];
            batch.Read(0, offset, bytes);
            if (await TryPostAsync(nodes[j]!, batch).ConfigureAwait(false))
            {
                records[j] = Enumerable.Range(0, n).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 8))).ToArray();
            }
        })).ConfigureAwait(false);

        var named = Enumerable.Range(0, n).Select(i => Majority([.. records.Select(r => r?[i])], n)).ToArray();
        var complete = records.All(r => r is not null) && named.All(v => v is not null);
        await Task.WhenAll(Enumerable.Range(0, n).Where(j => records[j] is not null).Select(async j =>
        {
            var slots = Enumerable.Range(0, n).Where(i => records[j]![i] == 0 && named[i] is not null).ToArray();
            if (slots.Length == 0)
            {
                return;
            }

            var batch = Stamp(new VerbBatch(slots.Length), time, batchLifetime, ref deadline);
            foreach (var i in slots)
            {
                batch.CompareAndSwap(0, offset + (ulong)(i * 8), 0, named[i]!.Value);
            }

            if (!await TryPostAsync(nodes[j]!, batch).ConfigureAwait(false))
            {
                complete = false;
            }
        })).ConfigureAwait(false);
        return complete;
    }

    /// <summary>Slot <paramref name="slot"/>'s word on each node (null: no answer), CASed from <paramref name="replaceFrom"/> when given.</summary>
    private static async Task<ulong?[]> SlotWordsAsync(
        IReadOnlyList<QueuePair?> nodes, ulong offset, int slot, TimeProvider time, TimeSpan batchLifetime,
        ulong? replaceFrom, ulong replaceTo)
    {
        if (slot < 0 || slot >= nodes.Count || nodes.Count > NodesMax)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"the record has slots 0..{nodes.Count - 1}");
        }

        var words = new ulong?[nodes.Count];
        var deadline = DateTimeOffset.MinValue;
        await Task.WhenAll(Enumerable.Range(0, nodes.Count).Where(j => nodes[j] is not null).Select(async j =>
        {
            var batch = Stamp(new VerbBatch(2), time, batchLifetime, ref deadline);
            var bytes = new byte[8];
            var at = offset + (ulong)(slot * 8);
            if (replaceFrom is { } from)
            {
                // A node rebuilt earlier joined with an empty record: its slot is filled from 0.
                batch.CompareAndSwap(0, at, from, replaceTo);
                batch.CompareAndSwap(0, at, 0, replaceTo);
            }
            else
            {
                batch.Read(0, at, bytes);
            }

            if (await TryPostAsync(nodes[j]!, batch).ConfigureAwait(false))
            {
                var old = replaceFrom is null ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : batch.Result(0);
                words[j] = replaceFrom is { } f && (old == f || old == 0) ? replaceTo : old;
            }
        })).ConfigureAwait(false);
        return words;
    }

    private static ulong? Majority(ulong?[] words, int n) =>
        words.OfType<ulong>().Where(w => w != 0).GroupBy(w => w).FirstOrDefault(g => g.Count() >= n / 2 + 1)?.Key;

    private static VerbBatch Stamp(VerbBatch batch, TimeProvider time, TimeSpan lifetime, ref DateTimeOffset latest)
    {
        var notAfter = time.GetUtcNow() + lifetime;
        batch.NotAfter = notAfter;
        if (notAfter > latest)
        {
            latest = notAfter;
        }

        return batch;
    }

    private static async Task<bool> TryPostAsync(QueuePair node, VerbBatch batch)
    {
        try
        {
            await node.PostAsync(batch).ConfigureAwait(false);
            return true;
        }
        catch (TransportException)
        {
            return false;
        }
    }

    private static string Hex(ulong word) => word == 0 ? "none" : word.ToString("x16", CultureInfo.InvariantCulture);
}
