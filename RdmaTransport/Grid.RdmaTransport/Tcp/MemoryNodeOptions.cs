using System.Net;

namespace Grid.RdmaTransport.Tcp;

/// <summary>What a memory node serves and where; checked by <see cref="Validate"/>.</summary>
public sealed class MemoryNodeOptions
{
    /// <summary>Most memory one node registers in all (the machine has 24 GiB; leave room).</summary>
    public const long TotalBytesMax = 16L << 30;

    /// <summary>Most owned regions: region ids travel as a u16 count in the handshake and the data file.</summary>
    public const int OwnedRegionCountMax = ushort.MaxValue - 1;

    /// <summary>Longest flush interval: beyond a day the kernel's own writeback comes first anyway.</summary>
    public static readonly TimeSpan FlushIntervalMax = TimeSpan.FromDays(1);

    public NodeId NodeId { get; set; } = new(1000);

    public IPEndPoint Listen { get; set; } = new(IPAddress.Loopback, 7101);

    /// <summary>Size of region 0, which every authenticated peer may read, write and use atomics on.</summary>
    public long RegionBytes { get; set; } = 64L << 20;

    /// <summary>Further single-writer regions (owner: all rights; others: read), ids 1, 2, ...</summary>
    public IList<OwnedRegion> OwnedRegions { get; } = [];

    public TcpTransportOptions Transport { get; set; } = new();

    /// <summary>
    /// The data file the regions live in (created when missing), so they survive the process; null
    /// keeps them in process memory, lost when it ends. See <see cref="Storage.MemoryNodeDataFile"/>.
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>The cluster in this node's identity; a data file is refused by a node of another cluster.</summary>
    public string ClusterId { get; set; } = MemoryNodeIdentity.DefaultClusterId;

    /// <summary>
    /// How often the data file's changed pages are written to disk (msync); null leaves it to the
    /// kernel's writeback and the flush at a clean stop. Needs <see cref="DataPath"/>.
    /// </summary>
    public TimeSpan? FlushInterval { get; set; }

    public void Validate()
    {
        if (RegionBytes < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(RegionBytes), RegionBytes, "must be at least 8 bytes");
        }

        var total = RegionBytes;
        foreach (var owned in OwnedRegions)
        {
            if (owned.Bytes < 8)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(OwnedRegions), owned.Bytes, $"the region of {owned.Owner} must be at least 8 bytes");
            }

            total += owned.Bytes;
        }

        if (total > TotalBytesMax)
        {
            throw new ArgumentOutOfRangeException(
                nameof(RegionBytes), total, $"regions add up to more than {ByteSize.Format(TotalBytesMax)}");
        }

        if (OwnedRegions.Count > OwnedRegionCountMax)
        {
            throw new ArgumentOutOfRangeException(
                nameof(OwnedRegions), OwnedRegions.Count, $"at most {OwnedRegionCountMax} owned regions");
        }

        if (MemoryNodeIdentity.CheckClusterId(ClusterId) is { } problem)
        {
            throw new ArgumentException(problem, nameof(ClusterId));
        }

        if (DataPath is not null && string.IsNullOrWhiteSpace(DataPath))
        {
            throw new ArgumentException("the data file path is empty", nameof(DataPath));
        }

        if (FlushInterval is { } interval)
        {
            if (DataPath is null)
            {
                throw new ArgumentException("a flush interval needs a data file (--data) to flush", nameof(FlushInterval));
            }

            if (interval <= TimeSpan.Zero || interval > FlushIntervalMax)
            {
                // ArgumentException, not ...OutOfRange: its message stays on one line.
                throw new ArgumentException(
                    $"a flush interval of {interval.TotalSeconds} s is not above 0 and at most " +
                    $"{FlushIntervalMax.TotalSeconds} s", nameof(FlushInterval));
            }
        }

        ArgumentNullException.ThrowIfNull(Listen);
        Transport.Validate();
    }
}

/// <summary>A single-writer region: <see cref="Owner"/> writes, everyone reads.</summary>
public readonly record struct OwnedRegion(NodeId Owner, long Bytes)
{
    /// <summary>Parses <c>OWNER:SIZE</c>, for example <c>7:1MiB</c>.</summary>
    public static OwnedRegion Parse(string text)
    {
        var parts = text.Split(':', 2);
        if (parts.Length != 2 || !uint.TryParse(parts[0], out var owner)
            || !ByteSize.TryParse(parts[1], out var bytes))
        {
            throw new FormatException($"'{text}' is not OWNER:SIZE (for example 7:1MiB)");
        }

        return new OwnedRegion(new NodeId(owner), bytes);
    }
}
