using System.Net;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Tests;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1 MB", 1_000_000L)]
    [InlineData("2G", 2L << 30)]
    public void Sizes_parse(string text, long expected) => Assert.Equal(expected, ByteSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("lots")]
    [InlineData("1.5GiB")]
    [InlineData("99999999999999999GiB")]
    public void Bad_sizes_are_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Sizes_print_in_the_largest_exact_unit()
    {
        Assert.Equal("64MiB", ByteSize.Format(64L << 20));
        Assert.Equal("1000B", ByteSize.Format(1000));
    }

    [Theory]
    [InlineData("127.0.0.1:7101", "127.0.0.1:7101")]
    [InlineData("localhost:80", "127.0.0.1:80")]
    [InlineData("[::1]:9", "[::1]:9")]
    public void Addresses_parse(string text, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), NetworkAddress.Parse(text));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("nowhere:1")]
    [InlineData("localhost:99999")]
    [InlineData("")]
    public void Bad_addresses_are_refused(string text) => Assert.False(NetworkAddress.TryParse(text, out _));

    [Fact]
    public void A_short_cluster_key_is_refused_and_the_key_never_prints()
    {
        Assert.Throws<ArgumentException>(() => ClusterKey.FromSecret("short"));
        var key = ClusterKey.FromSecret("a secret that is long enough");
        Assert.DoesNotContain("secret", key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Owned_regions_parse_owner_and_size()
    {
        Assert.Equal(new OwnedRegion(new NodeId(7), 1 << 20), OwnedRegion.Parse("7:1MiB"));
        Assert.Throws<FormatException>(() => OwnedRegion.Parse("7"));
    }

    [Fact]
    public void Transport_options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new TcpTransportOptions { MaxPayloadBytes = 10 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new TcpTransportOptions { OperationTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new TcpTransportOptions { MaxOpsPerBatch = 70_000 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new MemoryNodeOptions { RegionBytes = 4 }.Validate());
    }
}
