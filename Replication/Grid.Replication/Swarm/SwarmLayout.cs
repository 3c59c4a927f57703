namespace Grid.Replication.Swarm;

/// <summary>
/// Where everything lives in region 0 of each memory node; identical on every node, so an
/// address means the same object or buffer everywhere (spec §3.4).
/// <code>
/// header   64 B: epoch u64 (the cluster's timestamp origin, Unix µs)
/// objects  ObjectCapacity x ObjectStride:
///          slot[MaxWriters] u64 | inPlaceTsp u64 | checksum 16 B | length u32 | pad 4 | value[InPlaceValueBytes]
/// arenas   MaxWriters x ArenaBytesPerWriter of out-of-place buffers, each 64-byte aligned:
///          vw u64 | prev u64 | tsp u64 | checksum 16 B | length u32 | pad 4 | value
/// </code>
/// The slots and the in-place copy are contiguous so one READ fetches both (spec §3.2).
/// </summary>
public sealed class SwarmLayout
{
    public const int HeaderBytes = 64;
    public const int BufferUnitBytes = 64;
    public const int BufferHeaderBytes = 8 + 8 + 8 + 16 + 4 + 4;
    public const int InPlaceHeaderBytes = 8 + 16 + 4 + 4;

    // Offsets inside a buffer.
    public const int VwOffset = 0;
    public const int PrevOffset = 8;
    public const int BufferTspOffset = 16;

    public SwarmLayout(SwarmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        SlotsBytes = options.MaxWriters * 8;
        ObjectStride = RoundUp(SlotsBytes + InPlaceHeaderBytes + options.InPlaceValueBytes, 64);
        ObjectsOffset = HeaderBytes;
        ArenasOffset = ObjectsOffset + (long)ObjectStride * options.ObjectCapacity;
        RegionBytes = ArenasOffset + options.ArenaBytesPerWriter * options.MaxWriters;
    }

    public SwarmOptions Options { get; }

    public int SlotsBytes { get; }

    public int ObjectStride { get; }

    public long ObjectsOffset { get; }

    public long ArenasOffset { get; }

    /// <summary>The region size every memory node must have.</summary>
    public long RegionBytes { get; }

    public static int BufferBytes(int valueBytes) => RoundUp(BufferHeaderBytes + valueBytes, BufferUnitBytes);

    public ulong ObjectOffset(long objectId)
    {
        if ((ulong)objectId >= (ulong)Options.ObjectCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(objectId), objectId,
                $"object ids are 0..{Options.ObjectCapacity - 1}");
        }

        return (ulong)(ObjectsOffset + objectId * ObjectStride);
    }

    public ulong SlotOffset(long objectId, int writer) => ObjectOffset(objectId) + (ulong)((writer - 1) * 8);

    public ulong InPlaceOffset(long objectId) => ObjectOffset(objectId) + (ulong)SlotsBytes;

    /// <summary>Bytes of the object READ by the primary: slots, in-place header and value.</summary>
    public int ObjectReadBytes => SlotsBytes + InPlaceHeaderBytes + Options.InPlaceValueBytes;

    public ulong BufferOffset(int writer, uint bufferId) =>
        (ulong)(ArenasOffset + (writer - 1) * Options.ArenaBytesPerWriter + (long)bufferId * BufferUnitBytes);

    public int PrimaryOf(long objectId, int memoryNodes) => (int)(objectId % memoryNodes);

    private static int RoundUp(int value, int unit) => (value + unit - 1) / unit * unit;
}
