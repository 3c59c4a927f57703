using Grid.Client;

namespace Grid.Cli.Tests.ClientLibrary;

public sealed class GridClientOptionsTests
{
    [Fact]
    public void Defaults_match_grid_silo()
    {
        var options = new GridClientOptions();
        options.Validate();
        Assert.Equal(GridConnectionMode.Localhost, options.Mode);
        Assert.Equal(30000, options.GatewayPort);
        Assert.Equal("grid", options.ServiceId);
        Assert.Equal("grid", options.ClusterId);
        Assert.Equal("127.0.0.1:30000 (localhost clustering, service grid)", options.DescribeTarget());
    }

    public static TheoryData<string, Action<GridClientOptions>> BadOptions() => new()
    {
        { "GatewayPort", o => o.GatewayPort = 0 },
        { "GatewayPort", o => o.GatewayPort = 70000 },
        { "at least one", o => o.Mode = GridConnectionMode.Gateways },
        { "'nope'", o => { o.Mode = GridConnectionMode.Gateways; o.Gateways.Add("nope"); } },
        { "connection string", o => o.Mode = GridConnectionMode.Redis },
        { "ServiceId", o => o.ServiceId = " " },
        { "ClusterId", o => o.ClusterId = "a\nb" },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.Zero },
        { "ResponseTimeout", o => o.ResponseTimeout = TimeSpan.FromHours(2) },
        { "ConnectRetryDelay", o => o.ConnectRetryDelay = TimeSpan.FromMinutes(1) },
        { "unknown connection mode", o => o.Mode = (GridConnectionMode)42 },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_names_the_bad_setting(string expected, Action<GridClientOptions> spoil)
    {
        var options = new GridClientOptions();
        spoil(options);
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redis_password_never_shows_in_messages()
    {
        var options = GridClientOptions.ForRedis("redis-1:6379,password=s3cret,ssl=true");
        var text = options.DescribeTarget();
        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
        Assert.Contains("redis-1:6379,password=***,ssl=true", text, StringComparison.Ordinal);
        Assert.Contains("Redis membership, service grid, cluster grid", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Clone_copies_every_setting_and_shares_no_list()
    {
        var options = GridClientOptions.ForGateways("a:1", "b:2");
        options.ServiceId = "s";
        options.ClusterId = "c";
        options.ConnectTimeout = TimeSpan.FromSeconds(3);
        options.ConnectRetryDelay = TimeSpan.FromSeconds(1);
        options.ResponseTimeout = TimeSpan.FromSeconds(4);
        var copy = options.Clone();
        copy.Gateways.Add("c:3");
        Assert.Equal(["a:1", "b:2"], options.Gateways);
        Assert.Equal(
            (options.Mode, options.ServiceId, options.ClusterId, options.ConnectTimeout,
                options.ConnectRetryDelay, options.ResponseTimeout),
            (copy.Mode, copy.ServiceId, copy.ClusterId, copy.ConnectTimeout,
                copy.ConnectRetryDelay, copy.ResponseTimeout));
    }
}
