using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>
    /// The repair pass of a rebuild (README, "Rebuilding a node that came back empty"): with the
    /// nodes in <paramref name="excluded"/> counted by no one, brings every other node (the
    /// survivors) to agree on what a quorum must see, so that an empty node can then be counted.
    /// Every key whose newest word is not the same on every survivor is read with all of them and
    /// its value written back to all of them (the read's write-back, confirmed everywhere); the
    /// incarnation, lease and frame words a survivor lacks are copied to it. Needs every survivor
    /// to answer; throws <see cref="QuorumUnavailableException"/> otherwise. Returns the keys the
    /// survivors disagreed on, each read again with all of them. <paramref name="progress"/> hears the buckets done and their total.
    /// </summary>
    public async Task<int> RepairAsync(IReadOnlyCollection<int> excluded, IProgress<(int Done, int Total)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        var survivors = _nodes.Count - excluded.Count;
        if (excluded.Any(i => i < 0 || i >= _nodes.Count) || survivors < Quorum)
        {
            throw new ArgumentOutOfRangeException(nameof(excluded),
                $"a repair leaves out a minority of the {_nodes.Count} memory nodes, not [{string.Join(", ", excluded)}]");
        }

        ThrowIfFenced();
        PinNodes();
        await RepairClusterWordsAsync(excluded, survivors).ConfigureAwait(false);
        var repaired = 0;
        var done = 0;
        foreach (var (first, count) in ScanChunks())
        {
            var (batches, images) = ScanBatches(first, count);
            foreach (var node in excluded)
            {
                batches[node] = null;
            }

            await RoundtripAsync(batches, survivors).ConfigureAwait(false);
            foreach (var key in KeysSurvivorsDisagreeOn(images, count, excluded))
            {
                await RepairKeyAsync(key, survivors).ConfigureAwait(false);
                repaired++;
            }

            done += count;
            progress?.Report((done, _layout.Options.BucketCount));
        }

        Counters.RepairPass(repaired);
        return repaired;
    }

    /// <summary>
    /// The key hashes of a chunk of buckets whose newest word (by identity, over all writers'
    /// entries for the key) is not the same on every survivor, or that a survivor lacks.
    /// </summary>
    private SortedSet<ulong> KeysSurvivorsDisagreeOn(byte[][] images, int buckets, IReadOnlyCollection<int> excluded)
    {
        var newest = new Dictionary<ulong, ulong>[images.Length];
        for (var node = 0; node < images.Length; node++)
        {
            if (excluded.Contains(node))
            {
                continue;
            }

            var words = newest[node] = [];
            var image = images[node];
            for (var at = 0; at < buckets * _layout.DirectoryBytes; at += SwarmLayout.EntryBytes)
            {
                var hash = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at));
                if (hash == 0)
                {
                    continue;
                }

                var slot = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at + SwarmLayout.SlotOffsetInEntry));
                var helped = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at + SwarmLayout.HelpedOffsetInEntry));
                var word = Tsp.Identity(_ring.Max(slot, helped));
                words[hash] = words.TryGetValue(hash, out var seen) ? _ring.Max(seen, word) : word;
            }
        }

        var keys = new SortedSet<ulong>();
        var maps = newest.OfType<Dictionary<ulong, ulong>>().ToList();
        foreach (var (hash, word) in maps.SelectMany(m => m))
        {
            if (maps.Any(m => !m.TryGetValue(hash, out var other) || other != word))
            {
                keys.Add(hash);
            }
        }

        return keys;
    }

    /// <summary>A read of the key with every survivor whose value, where they disagree, is written back to all of them.</summary>
    private async Task RepairKeyAsync(ulong keyHash, int survivors)
    {
        var state = await EnterAsync(keyHash).ConfigureAwait(false);
        try
        {
            await ReadEnteredAsync(state, allNodes: false, everyNode: survivors).ConfigureAwait(false);
        }
        finally
        {
            Leave(state);
        }
    }

    /// <summary>
    /// The words outside the index that a quorum must see too, which a survivor may lack because
    /// the majority they reached included the lost memory: each writer's incarnation (raised to
    /// the largest a survivor holds; incarnations only grow), each writer's lease word and the
    /// frame words (epoch, refresh mark), copied by CAS from 0 to a survivor that holds none when
    /// the others agree on one. A lease word copied so can only make an id look held until an
    /// expiry some silo was granted; a differing non-zero one is left to the lease protocol.
    /// </summary>
    private async Task RepairClusterWordsAsync(IReadOnlyCollection<int> excluded, int survivors)
    {
        var writers = _layout.Options.MaxWriters;
        var header = new byte[_nodes.Count][];
        var incarnations = new byte[_nodes.Count][];
        var leases = new byte[_nodes.Count][];
        var batches = NewBatches();
        for (var i = 0; i < batches.Length; i++)
        {
            if (excluded.Contains(i))
            {
                continue;
            }

            header[i] = new byte[16];
            incarnations[i] = new byte[writers * 8];
            leases[i] = new byte[writers * 8];
            var batch = new VerbBatch(3);
            batch.Read(RegionId, 0, header[i]);
            batch.Read(RegionId, _layout.IncarnationOffset(1), incarnations[i]);
            batch.Read(RegionId, _layout.LeaseOffset(1), leases[i]);
            batches[i] = batch;
        }

        await RoundtripAsync(batches, survivors).ConfigureAwait(false);
        var nodes = Enumerable.Range(0, _nodes.Count).Where(i => !excluded.Contains(i)).ToArray();
        var fixes = NewBatches();
        void Fix(int node, ulong offset, ulong from, ulong to) =>
            (fixes[node] ??= new VerbBatch(4)).CompareAndSwap(RegionId, offset, from, to);

        for (var w = 1; w <= writers; w++)
        {
            var at = (w - 1) * 8;
            var largest = nodes.Max(i => Word(incarnations[i], at));
            foreach (var i in nodes.Where(i => Word(incarnations[i], at) < largest))
            {
                Fix(i, _layout.IncarnationOffset(w), Word(incarnations[i], at), largest);
            }

            CopyToEmpty(leases, at, _layout.LeaseOffset(w));
        }

        CopyToEmpty(header, 0, 0);
        CopyToEmpty(header, 8, 8);
        if (fixes.Any(b => b is not null))
        {
            await RoundtripAsync(fixes, fixes.Count(b => b is not null)).ConfigureAwait(false);
        }

        void CopyToEmpty(byte[][] images, int at, ulong offset)
        {
            var held = nodes.Select(i => Word(images[i], at)).Where(v => v != 0).Distinct().ToList();
            if (held.Count != 1)
            {
                return;
            }

            foreach (var i in nodes.Where(i => Word(images[i], at) == 0))
            {
                Fix(i, offset, 0, held[0]);
            }
        }

        static ulong Word(byte[] image, int at) => BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at));
    }
}
