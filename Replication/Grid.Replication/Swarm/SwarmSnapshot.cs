using System.Buffers.Binary;

namespace Grid.Replication.Swarm;

/// <summary>
/// One snapshot of a key (spec §2.4 READ, one roundtrip): per replying node, the words of every
/// writer's entry for the key (its slot and its helped word), and the primary's in-place record.
/// </summary>
internal sealed class SwarmSnapshot
{
    private readonly List<EntryWords>?[] _nodes;

    private readonly SwarmLayout _layout;

    public SwarmSnapshot(SwarmLayout layout, ulong keyHash, byte[]?[] directories, byte[]?[] inPlace)
    {
        _layout = layout;
        _nodes = new List<EntryWords>?[directories.Length];
        for (var i = 0; i < directories.Length; i++)
        {
            if (directories[i] is { } image)
            {
                _nodes[i] = Parse(layout, keyHash, image);
            }
        }

        KeyHash = keyHash;
        InPlace = inPlace;
    }

    public ulong KeyHash { get; }

    /// <summary>Per node, the bucket's in-place records when that node holds them and replied.</summary>
    public byte[]?[] InPlace { get; }

    public bool Replied(int node) => _nodes[node] is not null;

    /// <summary>The largest word, after the reader's substitutions of unverified words.</summary>
    public ulong MappedMax(IReadOnlyDictionary<ulong, ulong> substitutions)
    {
        ulong max = 0;
        foreach (var node in _nodes)
        {
            if (node is not null)
            {
                max = _layout.Ring.Max(max, MappedMax(node, substitutions));
            }
        }

        return max;
    }

    /// <summary>Whether some replying node's own maximum is another write than <paramref name="word"/>.</summary>
    public bool SomeNodeDisagrees(ulong word, IReadOnlyDictionary<ulong, ulong> substitutions)
    {
        foreach (var node in _nodes)
        {
            if (node is not null && Tsp.Identity(MappedMax(node, substitutions)) != Tsp.Identity(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The largest word in the key's entries on the replying nodes, slots and helped words,
    /// the writer's own entry included: what a write's guess must beat to be fresh. A writer's
    /// own words are below its clock, but a word of an earlier incarnation of its id may not be:
    /// a zombie's write that landed after the restart (README, "Fencing") and that a reader
    /// returned sits in the writer's own helped word, and a guess below it would be lost.
    /// </summary>
    public ulong MaxWord() => MaxWord(exceptWriter: 0);

    /// <summary>
    /// The largest word in other writers' entries on the replying nodes: the
    /// <see cref="SwarmWriteResult.ObservedOthers"/> a write reports.
    /// </summary>
    public ulong MaxOfOtherWriters(int writer) => MaxWord(exceptWriter: writer);

    private ulong MaxWord(int exceptWriter)
    {
        ulong max = 0;
        foreach (var node in _nodes)
        {
            foreach (var entry in node ?? [])
            {
                if (entry.Writer != exceptWriter)
                {
                    max = _layout.Ring.Max(max, _layout.Ring.Max(entry.Slot, entry.Helped));
                }
            }
        }

        return max;
    }

    /// <summary>
    /// The writer's entry for the key: the one holding the writer's newest word on the replying
    /// nodes; -1 when none shows one. A node a sweep's zeroing missed may still show an older
    /// entry of the writer under the key, which the writer reused for another key elsewhere; the
    /// newest word marks the current one, as in recovery (the writer's words only grow).
    /// </summary>
    public int EntryOf(int writer)
    {
        var best = -1;
        ulong newest = 0;
        foreach (var node in _nodes)
        {
            foreach (var entry in node ?? [])
            {
                var word = _layout.Ring.Max(entry.Slot, entry.Helped);
                if (entry.Writer == writer && (best < 0 || _layout.Ring.IsAfter(word, newest)))
                {
                    best = entry.Entry;
                    newest = word;
                }
            }
        }

        return best;
    }

    /// <summary>The helped word of the writer's entry <paramref name="entry"/> on a node (0 when the node lacks it or did not reply).</summary>
    public ulong HelpedOn(int node, int writer, int entry)
    {
        foreach (var words in _nodes[node] ?? [])
        {
            if (words.Writer == writer && words.Entry == entry)
            {
                return words.Helped;
            }
        }

        return 0;
    }

    /// <summary>
    /// The value from the in-place record of the entry of <paramref name="word"/>'s writer, when
    /// that record is a whole copy of this very write of this key.
    /// </summary>
    public byte[]? InPlaceValueOf(ulong word)
    {
        var entry = EntryOf(Tsp.Writer(word));
        if (entry < 0)
        {
            return null;
        }

        foreach (var block in InPlace)
        {
            if (block is not null && RecordValue(block, word, entry) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    private byte[]? RecordValue(byte[] block, ulong word, int entry)
    {
        var record = block.AsSpan(_layout.EntryIndex(Tsp.Writer(word), entry) * _layout.InPlaceStride, _layout.InPlaceStride);
        if (BinaryPrimitives.ReadUInt64LittleEndian(record) != KeyHash
            || Tsp.Identity(BinaryPrimitives.ReadUInt64LittleEndian(record[8..])) != Tsp.Identity(word))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(record[32..]);
        if (length < 0 || length > record.Length - SwarmLayout.InPlaceHeaderBytes)
        {
            return null;
        }

        var value = record.Slice(SwarmLayout.InPlaceHeaderBytes, length);
        return ValueChecksum.Matches(word, value, record.Slice(16, ValueChecksum.Bytes)) ? value.ToArray() : null;
    }

    /// <summary>The key's entries on node <paramref name="node"/> (none when it did not reply).</summary>
    public IEnumerable<(int Writer, int Entry, ulong Slot, ulong Helped)> EntriesOn(int node)
    {
        foreach (var entry in _nodes[node] ?? [])
        {
            yield return (entry.Writer, entry.Entry, entry.Slot, entry.Helped);
        }
    }

    public IEnumerable<ulong> Words()
    {
        foreach (var node in _nodes)
        {
            foreach (var entry in node ?? [])
            {
                if (entry.Slot != 0)
                {
                    yield return entry.Slot;
                }

                if (entry.Helped != 0)
                {
                    yield return entry.Helped;
                }
            }
        }
    }

    private static List<EntryWords> Parse(SwarmLayout layout, ulong keyHash, byte[] image)
    {
        var entries = new List<EntryWords>(2);
        var perWriter = layout.Options.EntriesPerWriter;
        for (var index = 0; index < image.Length / SwarmLayout.EntryBytes; index++)
        {
            var at = index * SwarmLayout.EntryBytes;
            if (BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at)) != keyHash)
            {
                continue;
            }

            entries.Add(new EntryWords(
                index / perWriter + 1,
                index % perWriter,
                BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at + SwarmLayout.SlotOffsetInEntry)),
                BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at + SwarmLayout.HelpedOffsetInEntry))));
        }

        return entries;
    }

    private ulong MappedMax(List<EntryWords> entries, IReadOnlyDictionary<ulong, ulong> substitutions)
    {
        ulong max = 0;
        foreach (var entry in entries)
        {
            var slot = !Tsp.IsVerified(entry.Slot) && substitutions.TryGetValue(entry.Slot, out var replacement)
                ? replacement
                : entry.Slot;
            max = _layout.Ring.Max(max, _layout.Ring.Max(slot, entry.Helped));
        }

        return max;
    }

    private readonly record struct EntryWords(int Writer, int Entry, ulong Slot, ulong Helped);
}
