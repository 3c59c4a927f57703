using Grid.Cli.Tests.Cluster;
using Grid.Client;

namespace Grid.Cli.Tests.ClientLibrary;

/// <summary>What a client does when nothing answers: a GridConnectionException, soon.</summary>
public sealed class GridClientConnectTests
{
    [Fact]
    public async Task No_silo_at_the_localhost_gateway_is_a_clear_connection_error()
    {
        var port = FreePorts.Next();
        var options = GridClientOptions.ForLocalhost(port);
        options.ConnectTimeout = TimeSpan.FromSeconds(1);
        options.ConnectRetryDelay = TimeSpan.FromMilliseconds(100);

        var error = await Assert.ThrowsAsync<GridConnectionException>(
            () => GridClient.ConnectAsync(options, TestContext.Current.CancellationToken));

        Assert.Equal(
            $"no silo answered at 127.0.0.1:{port} (localhost clustering, service grid): is grid-silo running?",
            error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task No_silo_at_any_listed_gateway_names_them_all()
    {
        int first = FreePorts.Next(), second = FreePorts.Next();
        var options = GridClientOptions.ForGateways($"127.0.0.1:{first}", $"localhost:{second}");
        options.ConnectTimeout = TimeSpan.FromSeconds(1);
        options.ConnectRetryDelay = TimeSpan.FromMilliseconds(100);

        var error = await Assert.ThrowsAsync<GridConnectionException>(
            () => GridClient.ConnectAsync(options, TestContext.Current.CancellationToken));

        Assert.StartsWith(
            $"no silo answered at 127.0.0.1:{first}, localhost:{second} (static gateways, service grid, cluster grid)",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_redis_is_named_as_the_problem_without_its_password()
    {
        var options = GridClientOptions.ForRedis($"127.0.0.1:{FreePorts.Next()},password=s3cret");
        // Room for the first Redis attempt (a quarter of it) to fail, even on a busy machine.
        options.ConnectTimeout = TimeSpan.FromSeconds(6);

        var error = await Assert.ThrowsAsync<GridConnectionException>(
            () => GridClient.ConnectAsync(options, TestContext.Current.CancellationToken));

        Assert.StartsWith("cannot read the membership table from Redis 127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains(",password=*** (service grid, cluster grid): ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unresolvable_gateway_host_says_so()
    {
        var options = GridClientOptions.ForGateways("no-such-host.invalid:30000");
        options.ConnectTimeout = TimeSpan.FromSeconds(5);

        var error = await Assert.ThrowsAsync<GridConnectionException>(
            () => GridClient.ConnectAsync(options, TestContext.Current.CancellationToken));

        Assert.Contains("cannot resolve gateway host 'no-such-host.invalid'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_caller_is_a_cancellation_not_a_connection_error()
    {
        var options = GridClientOptions.ForLocalhost(FreePorts.Next());
        options.ConnectTimeout = TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GridClient.ConnectAsync(options, cancel.Token));
    }

    [Fact]
    public async Task Invalid_options_fail_before_any_connection_attempt()
    {
        var options = GridClientOptions.ForGateways("not-an-address");

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => GridClient.ConnectAsync(options, TestContext.Current.CancellationToken));

        Assert.Contains("'not-an-address' is not HOST:PORT", error.Message, StringComparison.Ordinal);
    }
}
