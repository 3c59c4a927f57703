using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Storage;

/// <summary>
/// The first bytes of a memory node's data file: what the file holds and for whom. Written once
/// when the file is created, never rewritten, so its checksum tells a damaged header from a good
/// one. Layout (little-endian):
/// <code>
///  0  8 B  magic "GRIDMEMN"
///  8  u32  format version (1)
/// 12  u32  header bytes H, checksum included
/// 16  u32  page bytes P (4096): the header and every region start on a multiple of P
/// 20  u32  node id
/// 24  u64  incarnation (non-zero)
/// 32  i64  created, Unix milliseconds (for operators; never checked)
/// 40  u64  bytes of region 0 (open to every peer)
/// 48  u16  owned region count N
/// 50  u8   cluster id length C (1..64), then C bytes of ASCII cluster id
///     N x (u32 owner node id, u64 bytes): owned regions 1..N, in order
/// H-8 u64  XxHash3 of bytes [0, H-8)
/// </code>
/// Region 0 starts at H rounded up to P, each further region at the end of the one before it
/// rounded up to P, and the file ends at the last region's end rounded up to P. Offsets are
/// derived, not stored: there is nothing to disagree with the sizes.
/// </summary>
internal sealed record DataFileHeader(
    NodeId NodeId,
    MemoryNodeIdentity Identity,
    long RegionBytes,
    IReadOnlyList<OwnedRegion> OwnedRegions,
    long CreatedUnixMilliseconds)
{
    public const int FormatVersion = 1;
    public const int PageBytes = 4096;

    /// <summary>Bytes up to and including the header-size field: enough to know how much to read.</summary>
    public const int PrefixBytes = 16;

    /// <summary>No header is larger: a bigger claimed size means a damaged file.</summary>
    public const int HeaderBytesMax = 1 << 20;

    private const int FixedBytes = 51;
    private const int OwnedEntryBytes = 12;
    private const int ChecksumBytes = 8;

    private static ReadOnlySpan<byte> Magic => "GRIDMEMN"u8;

    public int HeaderBytes =>
        FixedBytes + Identity.ClusterId.Length + OwnedRegions.Count * OwnedEntryBytes + ChecksumBytes;

    public int RegionCount => 1 + OwnedRegions.Count;

    public long RegionLength(int index) => index == 0 ? RegionBytes : OwnedRegions[index - 1].Bytes;

    /// <summary>Where region <paramref name="index"/> starts in the file.</summary>
    public long RegionOffset(int index)
    {
        var offset = RoundUp(HeaderBytes);
        for (var i = 0; i < index; i++)
        {
            offset = RoundUp(offset + RegionLength(i));
        }

        return offset;
    }

    public long FileBytes => RegionOffset(RegionCount);

    /// <summary>True when both headers describe the same regions (sizes and owners, in order).</summary>
    public bool SameLayout(DataFileHeader other) =>
        RegionBytes == other.RegionBytes && OwnedRegions.SequenceEqual(other.OwnedRegions);

    /// <summary>The layout as the options spell it, for error messages.</summary>
    public string DescribeLayout()
    {
        var owned = OwnedRegions.Count == 0
            ? "no owned regions"
            : "owned regions " + string.Join(", ", OwnedRegions.Select(o => $"{o.Owner.Value}:{ByteSize.Format(o.Bytes)}"));
        return $"region 0 of {ByteSize.Format(RegionBytes)} and {owned}";
    }

    /// <summary>Reads the header size from the prefix; false when the prefix is not a data file's.</summary>
    public static bool TryReadHeaderBytes(ReadOnlySpan<byte> prefix, out int headerBytes, out string problem)
    {
        headerBytes = 0;
        if (prefix.Length < PrefixBytes)
        {
            problem = $"is {prefix.Length} bytes long, shorter than a data file header: truncated";
            return false;
        }

        if (!prefix[..Magic.Length].SequenceEqual(Magic))
        {
            problem = "does not start with the grid-memnode data file magic: not a data file, or a corrupt one";
            return false;
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (version != FormatVersion)
        {
            problem = $"has format version {version}; this grid-memnode reads version {FormatVersion}";
            return false;
        }

        var claimed = BinaryPrimitives.ReadUInt32LittleEndian(prefix[12..]);
        if (claimed < FixedBytes + 1 + ChecksumBytes || claimed > HeaderBytesMax)
        {
            problem = $"claims a header of {claimed} bytes: the header is corrupt";
            return false;
        }

        headerBytes = (int)claimed;
        problem = "";
        return true;
    }

    /// <summary>
    /// Decodes a whole header (<see cref="TryReadHeaderBytes"/> bytes). False, with what is wrong,
    /// when the checksum or any field does not hold: a header is trusted whole or not at all.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out DataFileHeader header, out string problem)
    {
        header = null!;
        if (!TryReadHeaderBytes(bytes, out var headerBytes, out problem))
        {
            return false;
        }

        if (bytes.Length != headerBytes)
        {
            problem = $"is shorter than its {headerBytes}-byte header: truncated";
            return false;
        }

        var stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes[^ChecksumBytes..]);
        if (stored != XxHash3.HashToUInt64(bytes[..^ChecksumBytes]))
        {
            problem = "has a header whose checksum does not match: the header is corrupt";
            return false;
        }

        problem = "has a header whose fields do not add up: the header is corrupt";
        var pageBytes = BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]);
        var nodeId = new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(bytes[20..]));
        var incarnation = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        var created = BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]);
        var regionBytes = BinaryPrimitives.ReadInt64LittleEndian(bytes[40..]);
        var ownedCount = BinaryPrimitives.ReadUInt16LittleEndian(bytes[48..]);
        var clusterIdLength = bytes[50];
        if (pageBytes != PageBytes || incarnation == 0 || regionBytes < 8
            || headerBytes != FixedBytes + clusterIdLength + ownedCount * OwnedEntryBytes + ChecksumBytes)
        {
            return false;
        }

        var clusterId = Encoding.ASCII.GetString(bytes.Slice(FixedBytes, clusterIdLength));
        if (MemoryNodeIdentity.CheckClusterId(clusterId) is not null)
        {
            return false;
        }

        var owned = new OwnedRegion[ownedCount];
        var entries = bytes[(FixedBytes + clusterIdLength)..];
        for (var i = 0; i < ownedCount; i++)
        {
            var entry = entries.Slice(i * OwnedEntryBytes, OwnedEntryBytes);
            owned[i] = new OwnedRegion(
                new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(entry)),
                BinaryPrimitives.ReadInt64LittleEndian(entry[4..]));
            if (owned[i].Bytes < 8)
            {
                return false;
            }
        }

        header = new DataFileHeader(
            nodeId, new MemoryNodeIdentity(clusterId, incarnation), regionBytes, owned, created);
        problem = "";
        return true;
    }

    /// <summary>Writes the header, checksum last, into the first <see cref="HeaderBytes"/> of <paramref name="destination"/>.</summary>
    public void Encode(Span<byte> destination)
    {
        var bytes = destination[..HeaderBytes];
        bytes.Clear();
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[12..], (uint)HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], PageBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[20..], NodeId.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], Identity.Incarnation);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[32..], CreatedUnixMilliseconds);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[40..], RegionBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[48..], checked((ushort)OwnedRegions.Count));
        bytes[50] = (byte)Identity.ClusterId.Length;
        Encoding.ASCII.GetBytes(Identity.ClusterId, bytes[FixedBytes..]);
        var entries = bytes[(FixedBytes + Identity.ClusterId.Length)..];
        for (var i = 0; i < OwnedRegions.Count; i++)
        {
            var entry = entries.Slice(i * OwnedEntryBytes, OwnedEntryBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, OwnedRegions[i].Owner.Value);
            BinaryPrimitives.WriteInt64LittleEndian(entry[4..], OwnedRegions[i].Bytes);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(
            bytes[^ChecksumBytes..], XxHash3.HashToUInt64(bytes[..^ChecksumBytes]));
    }

    private static long RoundUp(long offset) => (offset + PageBytes - 1) / PageBytes * PageBytes;
}
