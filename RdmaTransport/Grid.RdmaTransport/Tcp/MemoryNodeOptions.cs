using System.Net;

namespace Grid.RdmaTransport.Tcp;

/// <summary>What a memory node serves and where; checked by <see cref="Validate"/>.</summary>
public sealed class MemoryNodeOptions
{
    /// <summary>Most memory one node registers in all (the machine has 24 GiB; leave room).</summary>
    public const long TotalBytesMax = 16L << 30;

    public NodeId NodeId { get; set; } = new(1000);

    public IPEndPoint Listen { get; set; } = new(IPAddress.Loopback, 7101);

    /// <summary>Size of region 0, which every authenticated peer may read, write and use atomics on.</summary>
    public long RegionBytes { get; set; } = 64L << 20;

    /// <summary>Further single-writer regions (owner: all rights; others: read), ids 1, 2, ...</summary>
    public IList<OwnedRegion> OwnedRegions { get; } = [];

    public TcpTransportOptions Transport { get; set; } = new();

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
