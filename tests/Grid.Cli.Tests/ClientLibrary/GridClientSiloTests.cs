using Grid.Cli.Tests.Cluster;
using Grid.Client;
using Grid.Client.Hosting;
using Grid.Client.Status;
using Grid.Grains.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.Cli.Tests.ClientLibrary;

/// <summary>The client library against a real in-process silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class GridClientSiloTests(SiloFixture fixture)
{
    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_lists_the_silo_with_its_address_status_and_name()
    {
        await using var client = await GridClient.ConnectAsync(
            GridClientOptions.ForLocalhost(fixture.Silo.GatewayPort), Cancellation);

        var silos = await client.Status.SilosAsync();

        var silo = Assert.Single(silos);
        Assert.Equal("test-silo-1", silo.Name);
        Assert.Equal("Active", silo.Status);
        Assert.True(silo.IsActive);
        Assert.StartsWith($"127.0.0.1:{fixture.Silo.SiloPort}@", silo.Address, StringComparison.Ordinal);
        Assert.Equal(fixture.Silo.GatewayPort, silo.GatewayPort);
        Assert.NotNull(silo.StartedAt);
    }

    [Fact]
    public async Task A_dead_gateway_in_the_list_does_not_stop_the_client()
    {
        var options = GridClientOptions.ForGateways($"127.0.0.1:{FreePorts.Next()}", fixture.Silo.Gateway);

        await using var client = await GridClient.ConnectAsync(options, Cancellation);

        Assert.Equal("test-silo-1", Assert.Single(await client.Status.SilosAsync()).Name);
    }

    [Fact]
    public async Task AddGridClient_registers_a_client_and_the_facades_for_self_hosted_apps()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddGridClient(o =>
        {
            o.Mode = GridConnectionMode.Gateways;
            o.Gateways.Add(fixture.Silo.Gateway);
        });
        using var host = builder.Build();
        await host.StartAsync(Cancellation);
        try
        {
            var status = host.Services.GetRequiredService<GridStatus>();
            Assert.Equal("test-silo-1", Assert.Single(await status.SilosAsync()).Name);
            Assert.NotNull(host.Services.GetRequiredService<Grid.Client.Kv.GridKv>());
            Assert.NotNull(host.Services.GetRequiredService<Grid.Client.Accounts.GridAccounts>());
            Assert.NotNull(host.Services.GetRequiredService<Grid.Client.Orders.GridOrders>());
        }
        finally
        {
            await host.StopAsync(Cancellation);
        }
    }

    [Fact]
    public void AddGridClient_validates_the_options_at_registration()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddGridClient(o => o.Mode = GridConnectionMode.Redis));

        Assert.Contains("connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Facades_refuse_bad_arguments_without_calling_a_grain()
    {
        await using var client = await GridClient.ConnectAsync(
            GridClientOptions.ForLocalhost(fixture.Silo.GatewayPort), Cancellation);

        // No grain implementations run in this silo: a call that got through would fail with
        // Orleans' "no implementation" ArgumentException, whose message differs from these.
        await AssertRefused("key", () => client.Kv.GetAsync(""));
        await AssertRefused("key", () => client.Kv.PutAsync("a\tb", "v"));
        await AssertRefused("value", () => client.Kv.PutAsync("k", new byte[Grains.Kv.KvLimits.MaxValueBytes + 1]));
        await AssertRefused("amount", () => client.Accounts.DepositAsync("a", 0));
        await AssertRefused("depositId", () => client.Accounts.DepositAsync("a", 5, " "));
        await AssertRefused("two different accounts", () => client.Accounts.TransferAsync("a", "a", 5));
        await AssertRefused("amount", () => client.Accounts.TransferAsync("a", "b", -1));
        await AssertRefused("max", () => client.Accounts.HistoryAsync("a", 1001));
        await AssertRefused("price", () => client.Orders.SubmitLimitAsync("X", Side.Buy, 10, 0));
        await AssertRefused("quantity", () => client.Orders.SubmitMarketAsync("X", Side.Sell, 0));
        await AssertRefused("market order has no price",
            () => client.Orders.SubmitAsync("X", new OrderRequest(Side.Buy, OrderType.Market, 1, 5, TimeInForce.ImmediateOrCancel)));
        await AssertRefused("orderId", () => client.Orders.CancelAsync("X", 0));
        await AssertRefused("a new quantity, a new price or both", () => client.Orders.ReplaceAsync("X", 1));
        await AssertRefused("levels", () => client.Orders.BookAsync("X", 0));
        await AssertRefused("symbol", () => client.Orders.TradesAsync(""));

        static async Task AssertRefused(string expected, Func<Task> call)
        {
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(call);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("implementation", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_grain_the_silo_does_not_host_fails_with_orleans_error()
    {
        await using var client = await GridClient.ConnectAsync(
            GridClientOptions.ForLocalhost(fixture.Silo.GatewayPort), Cancellation);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.Kv.GetAsync("some-key"));

        Assert.Contains("implementation", error.Message, StringComparison.Ordinal);
    }
}
