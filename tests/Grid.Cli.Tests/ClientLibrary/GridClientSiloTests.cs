using Grid.Cli.Tests.Cluster;
using Grid.Client;
using Grid.Client.Accounts;
using Grid.Client.Hosting;
using Grid.Client.Kv;
using Grid.Client.Orders;
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
    public async Task Status_lists_both_silos_with_their_address_status_and_name()
    {
        await using var client = await GridClient.ConnectAsync(
            GridClientOptions.ForLocalhost(fixture.Silo.GatewayPort), Cancellation);

        var silos = await client.Status.SilosAsync();

        Assert.Equal(["test-silo-1", "test-silo-2"], silos.Select(s => s.Name).Order());
        var silo = Assert.Single(silos, s => s.Name == "test-silo-1");
        Assert.Equal("Active", silo.Status);
        Assert.True(silo.IsActive);
        Assert.StartsWith($"127.0.0.1:{fixture.Silo.SiloPort}@", silo.Address, StringComparison.Ordinal);
        Assert.Equal(fixture.Silo.GatewayPort, silo.GatewayPort);
        Assert.NotNull(silo.StartedAt);
        var second = Assert.Single(silos, s => s.Name == "test-silo-2");
        Assert.True(second.IsActive);
        Assert.Equal(fixture.SecondSilo.GatewayPort, second.GatewayPort);
    }

    [Fact]
    public async Task A_dead_gateway_in_the_list_does_not_stop_the_client()
    {
        var options = GridClientOptions.ForGateways($"127.0.0.1:{FreePorts.Next()}", fixture.Silo.Gateway);

        await using var client = await GridClient.ConnectAsync(options, Cancellation);

        Assert.Contains(await client.Status.SilosAsync(), s => s.Name == "test-silo-1");
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
            Assert.Contains(await status.SilosAsync(), s => s.Name == "test-silo-1");
            var kv = host.Services.GetRequiredService<GridKv>();
            var key = $"hosted-{Guid.NewGuid():N}";
            Assert.Equal(1, await kv.PutAsync(key, "v"));
            Assert.Equal(1, (await kv.GetAsync(key)).Version);
            Assert.NotNull(host.Services.GetRequiredService<GridAccounts>());
            Assert.NotNull(host.Services.GetRequiredService<GridOrders>());
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
        // A grain factory that fails every call: a check that let a call through would fail
        // with NoGrainFactory's message, not the facade's.
        var grains = NoGrainFactory.Create();
        var kv = new GridKv(grains);
        var accounts = new GridAccounts(grains);
        var orders = new GridOrders(grains);

        await AssertRefused("key", () => kv.GetAsync(""));
        await AssertRefused("key", () => kv.PutAsync("a\tb", "v"));
        await AssertRefused("value", () => kv.PutAsync("k", new byte[Grains.Kv.KvLimits.MaxValueBytes + 1]));
        await AssertRefused("amount", () => accounts.DepositAsync("a", 0));
        await AssertRefused("depositId", () => accounts.DepositAsync("a", 5, " "));
        await AssertRefused("two different accounts", () => accounts.TransferAsync("a", "a", 5));
        await AssertRefused("amount", () => accounts.TransferAsync("a", "b", -1));
        await AssertRefused("max", () => accounts.HistoryAsync("a", 1001));
        await AssertRefused("price", () => orders.SubmitLimitAsync("X", Side.Buy, 10, 0));
        await AssertRefused("quantity", () => orders.SubmitMarketAsync("X", Side.Sell, 0));
        await AssertRefused("market order has no price",
            () => orders.SubmitAsync("X", new OrderRequest(Side.Buy, OrderType.Market, 1, 5, TimeInForce.ImmediateOrCancel)));
        await AssertRefused("orderId", () => orders.CancelAsync("X", 0));
        await AssertRefused("a new quantity, a new price or both", () => orders.ReplaceAsync("X", 1));
        await AssertRefused("levels", () => orders.BookAsync("X", 0));
        await AssertRefused("symbol", () => orders.TradesAsync(""));

        // And the factory does fail a call that gets through.
        await Assert.ThrowsAsync<InvalidOperationException>(() => kv.GetAsync("k"));

        static async Task AssertRefused(string expected, Func<Task> call)
        {
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(call);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }
}
