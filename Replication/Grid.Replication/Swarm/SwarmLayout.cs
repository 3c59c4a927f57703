namespace Grid.Replication.Swarm;

/// <summary>
/// Where everything lives in region 0 of each memory node; identical on every node, so an
/// address means the same entry or buffer everywhere (spec §3.4, adapted for a replicated index).
/// <code>
/// header     64 B: epoch u64 (the cluster's timestamp origin, Unix µs)
/// writers    MaxWriters x u64: each writer id's incarnation, raised by every client that starts with it
/// leases     MaxWriters x u64: each writer id's lease word (holder:32 | expires:32, <see cref="WriterLease"/>)
/// buckets    BucketCount x MaxWriters x EntriesPerWriter entries of 24 B:
///            keyHash u64 | slot u64 (the writer's metadata word, CAS by its writer only)
///                        | helped u64 (verified words readers wrote back, CAS-max by anyone)
/// in-place   one record per entry, in per-bucket blocks (kept on f+1 nodes: the key's primary and the f after it):
///            keyHash u64 | tsp u64 | checksum 16 B | length u32 | pad 4 | value[InPlaceValueBytes]
/// arenas     MaxWriters x ArenaBytesPerWriter of out-of-place buffers, each 64-byte aligned:
///            vw u64 | prev u64 | tsp u64 | checksum 16 B | length u32 | pad 4 | value
/// membership 16 x u64: the memory-node membership record (<see cref="Common.MemoryNodeMembership"/>),
///            last, so that adding it moved nothing before it
/// </code>
/// A key's Safe-Guess object is the set of its entries across writers: a snapshot is one READ
/// of its bucket per node (plus the in-place record on the primary), the value is the largest
/// word, and a writer creates its entry for a key by writing the key hash into one of its own
/// entries, which no one else claims. The index is therefore replicated exactly like the
/// values, and no two writers ever race for an index slot (README, "The replicated index").
/// </summary>
public sealed class SwarmLayout
{
    public const int HeaderBytes = 64;

    /// <summary>Header word: the cluster's timestamp epoch, in µs since 1970 (0: not set yet).</summary>
    public const int EpochOffset = 0;

    /// <summary>Header word: when the last complete timestamp refresh began, in ms after the epoch (signed).</summary>
    public const int RefreshMarkOffset = 8;
    public const int EntryBytes = 24;
    public const int BufferUnitBytes = 64;
    public const int BufferHeaderBytes = 8 + 8 + 8 + 16 + 4 + 4;
    public const int InPlaceHeaderBytes = 8 + 8 + 16 + 4 + 4;

    // Offsets inside a buffer.
    public const int VwOffset = 0;
    public const int PrevOffset = 8;
    public const int BufferTspOffset = 16;

    // Offsets inside an entry.
    public const int SlotOffsetInEntry = 8;
    public const int HelpedOffsetInEntry = 16;

    public SwarmLayout(SwarmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        DirectoryBytes = options.MaxWriters * options.EntriesPerWriter * EntryBytes;
        IncarnationsOffset = HeaderBytes;
        LeasesOffset = HeaderBytes + options.MaxWriters * 8L;
        BucketsOffset = RoundUp64(LeasesOffset + options.MaxWriters * 8L);
        InPlaceOffset = BucketsOffset + (long)DirectoryBytes * options.BucketCount;
        InPlaceStride = RoundUp(InPlaceHeaderBytes + options.InPlaceValueBytes, 8);
        InPlaceBlockBytes = options.MaxWriters * options.EntriesPerWriter * InPlaceStride;
        ArenasOffset = RoundUp64(InPlaceOffset + (long)InPlaceBlockBytes * options.BucketCount);
        MembershipOffset = ArenasOffset + options.ArenaBytesPerWriter * options.MaxWriters;
        RegionBytes = MembershipOffset + Common.MemoryNodeMembership.RecordBytes;
        Ring = new TimestampRing(options.TimestampRingBits);
    }

    public SwarmOptions Options { get; }

    /// <summary>The order of words (timestamps wrap).</summary>
    internal TimestampRing Ring { get; }

    /// <summary>Bytes of one bucket: every writer's entries.</summary>
    public int DirectoryBytes { get; }

    public long IncarnationsOffset { get; }

    /// <summary>Where the writer ids' lease words start (one u64 per id, in id order).</summary>
    public long LeasesOffset { get; }

    public long BucketsOffset { get; }

    public long InPlaceOffset { get; }

    public int InPlaceStride { get; }

    /// <summary>Bytes of a bucket's in-place records, which the primary returns with each snapshot.</summary>
    public int InPlaceBlockBytes { get; }

    public long ArenasOffset { get; }

    /// <summary>Where the memory-node membership record starts (<see cref="Common.MemoryNodeMembership"/>).</summary>
    public long MembershipOffset { get; }

    /// <summary>The region size every memory node must have.</summary>
    public long RegionBytes { get; }

    public static int BufferBytes(int valueBytes) => RoundUp(BufferHeaderBytes + valueBytes, BufferUnitBytes);

    public ulong IncarnationOffset(int writer) => (ulong)(IncarnationsOffset + (writer - 1) * 8L);

    public ulong LeaseOffset(int writer) => (ulong)(LeasesOffset + (writer - 1) * 8L);

    public int BucketOf(ulong keyHash) => (int)(keyHash % (ulong)Options.BucketCount);

    public ulong BucketOffset(int bucket) => (ulong)(BucketsOffset + (long)bucket * DirectoryBytes);

    /// <summary>Index of a writer's entry inside a bucket image.</summary>
    public int EntryIndex(int writer, int entry) => (writer - 1) * Options.EntriesPerWriter + entry;

    public ulong EntryOffset(int bucket, int writer, int entry) =>
        BucketOffset(bucket) + (ulong)(EntryIndex(writer, entry) * EntryBytes);

    public ulong InPlaceBlockOffset(int bucket) => (ulong)(InPlaceOffset + (long)bucket * InPlaceBlockBytes);

    /// <summary>The in-place record of a writer's entry: only that writer writes it, so keys never collide.</summary>
    public ulong InPlaceRecordOffset(int bucket, int writer, int entry) =>
        InPlaceBlockOffset(bucket) + (ulong)(EntryIndex(writer, entry) * InPlaceStride);

    public int PrimaryOf(ulong keyHash, int memoryNodes) => (int)((keyHash >> 32) % (ulong)memoryNodes);

    /// <summary>
    /// Whether a node keeps the key's in-place records: the primary and the f nodes after it.
    /// Any majority of the 2f+1 nodes contains one of these f+1, so a read never depends on one
    /// particular node answering to find an in-place copy.
    /// </summary>
    public bool HoldsInPlace(ulong keyHash, int node, int memoryNodes) =>
        (node - PrimaryOf(keyHash, memoryNodes) + memoryNodes) % memoryNodes <= memoryNodes / 2;

    public ulong BufferOffset(int writer, uint bufferId) =>
        (ulong)(ArenasOffset + (writer - 1) * Options.ArenaBytesPerWriter + (long)bufferId * BufferUnitBytes);

    /// <summary>The end of a writer's arena: no READ of its buffers may pass it.</summary>
    public ulong ArenaEnd(int writer) => (ulong)(ArenasOffset + writer * Options.ArenaBytesPerWriter);

    private static int RoundUp(int value, int unit) => (value + unit - 1) / unit * unit;

    private static long RoundUp64(long value) => (value + 63) / 64 * 64;
}
