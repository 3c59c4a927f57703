using System.Net;
using Grid.Client;

namespace Grid.Cli.Tests.ClientLibrary;

public sealed class GatewayAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1", 30000)]
    [InlineData(" silo-2.internal:30001 ", "silo-2.internal", 30001)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("[::1]:65535", "::1", 65535)]
    public void Host_and_port_parse(string text, string host, int port)
    {
        Assert.True(GatewayAddress.TryParse(text, out var address));
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":30000")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1:30x")]
    [InlineData("::1:30000")]
    [InlineData("[::1:30000")]
    [InlineData("[127.0.0.1]:30000")]
    [InlineData("my host:30000")]
    [InlineData("http://h:30000")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(GatewayAddress.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => GatewayAddress.Parse(text));
        Assert.Contains("HOST:PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_prints_back_in_brackets() =>
        Assert.Equal("[::1]:30000", GatewayAddress.Parse("[::1]:30000").ToString());

    [Fact]
    public async Task Localhost_resolves_to_ipv4_loopback_only()
    {
        var endpoints = await GatewayAddress.Parse("localhost:30000").ResolveAsync(TestContext.Current.CancellationToken);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 30000)], endpoints);
    }
}
