using System.Text.Json;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;
using Grid.Client;

namespace Grid.Cli.Tests.Commands;

/// <summary><c>grid orders ...</c> against the real order-book grains and SWARM storage.</summary>
[Collection(SiloCollection.Name)]
public sealed class OrdersCommandTests(SiloFixture fixture)
{
    private string Gateway => fixture.Silo.Gateway;

    [Fact]
    public async Task Crossing_limit_orders_trade_at_the_resting_price()
    {
        var symbol = Keys.New("CROSS");
        await SubmitAsync(symbol, "sell", "10", "--price", "101", "--id", "1");

        using var buy = await SubmitJsonAsync(symbol, "buy", "4", "--price", "105", "--id", "2");

        Assert.Equal(("Filled", 4L, 0L, 0L), Outcome(buy.RootElement));
        var trade = Assert.Single(buy.RootElement.GetProperty("trades").EnumerateArray());
        Assert.Equal(2, trade.GetProperty("aggressor_order_id").GetInt64());
        Assert.Equal(1, trade.GetProperty("resting_order_id").GetInt64());
        Assert.Equal(101, trade.GetProperty("price").GetInt64());
        Assert.Equal(4, trade.GetProperty("quantity").GetInt64());
        Assert.Equal("Buy", trade.GetProperty("aggressor_side").GetString());
        Assert.Equal((Bids: Levels(), Asks: Levels((101, 6, 1))), await BookAsync(symbol));

        // The human output: the order's table and its trades' table.
        var taker = await RunAsync("orders", "submit", symbol, "buy", "6", "--price", "101", "--id", "3");
        Assert.True(taker.ExitCode == ExitCodes.Success, taker.ToString());
        Assert.Contains("Filled", taker.Output, StringComparison.Ordinal);
        Assert.Contains("Buy", taker.Output, StringComparison.Ordinal);
        Assert.Equal((Bids: Levels(), Asks: Levels()), await BookAsync(symbol));

        var trades = await TradesAsync(symbol);
        Assert.Equal([(2L, 1L, 101L, 4L), (3L, 1L, 101L, 6L)], trades.Select(t => t.Fill));
        Assert.True(trades[0].TradeId < trades[1].TradeId);
    }

    [Fact]
    public async Task A_killed_fill_or_kill_leaves_the_book_untouched()
    {
        var symbol = Keys.New("FOK");
        await SubmitAsync(symbol, "sell", "5", "--price", "100", "--id", "1");
        await SubmitAsync(symbol, "sell", "5", "--price", "102", "--id", "2");
        await SubmitAsync(symbol, "buy", "3", "--price", "98", "--id", "3");
        var before = await RunAsync("orders", "book", symbol, "--json");

        // 10 are offered, but only 5 at 101 or better.
        using var kill = await SubmitJsonAsync(symbol, "buy", "6", "--price", "101", "--tif", "fok", "--id", "4");

        Assert.Equal(("Cancelled", 0L, 0L, 6L), Outcome(kill.RootElement));
        Assert.Empty(kill.RootElement.GetProperty("trades").EnumerateArray());
        var after = await RunAsync("orders", "book", symbol, "--json");
        Assert.Equal(before.Output, after.Output);
        Assert.Empty(await TradesAsync(symbol));

        // One that can fill entirely fills.
        using var fill = await SubmitJsonAsync(symbol, "buy", "7", "--price", "102", "--tif", "fok", "--id", "5");
        Assert.Equal(("Filled", 7L, 0L, 0L), Outcome(fill.RootElement));
        Assert.Equal((Bids: Levels((98, 3, 1)), Asks: Levels((102, 3, 1))), await BookAsync(symbol));
    }

    [Fact]
    public async Task An_immediate_or_cancel_remainder_is_cancelled_not_rested()
    {
        var symbol = Keys.New("IOC");
        await SubmitAsync(symbol, "buy", "4", "--price", "50", "--id", "1");

        using var ioc = await SubmitJsonAsync(symbol, "sell", "10", "--price", "50", "--tif", "ioc", "--id", "2");

        Assert.Equal(("Cancelled", 4L, 0L, 6L), Outcome(ioc.RootElement));
        Assert.Equal((Bids: Levels(), Asks: Levels()), await BookAsync(symbol));

        // A market order is immediate-or-cancel by default.
        await SubmitAsync(symbol, "buy", "2", "--price", "49", "--id", "3");
        using var market = await SubmitJsonAsync(symbol, "sell", "5", "--market", "--id", "4");
        Assert.Equal(("Cancelled", 2L, 0L, 3L), Outcome(market.RootElement));
        Assert.Equal((Bids: Levels(), Asks: Levels()), await BookAsync(symbol));
    }

    [Fact]
    public async Task A_duplicate_order_id_is_rejected_with_exit_1_and_changes_nothing()
    {
        var symbol = Keys.New("DUP");
        await SubmitAsync(symbol, "sell", "5", "--price", "100", "--id", "7");

        var duplicate = await RunAsync("orders", "submit", symbol, "buy", "5", "--price", "100", "--id", "7");

        Assert.True(duplicate.ExitCode == ExitCodes.Failure, duplicate.ToString());
        Assert.Contains("Rejected (DuplicateOrderId)", duplicate.Output, StringComparison.Ordinal);
        Assert.Equal("grid: orders submit: order 7 rejected: DuplicateOrderId", duplicate.Error.Trim());
        Assert.Equal((Bids: Levels(), Asks: Levels((100, 5, 1))), await BookAsync(symbol));
        Assert.Empty(await TradesAsync(symbol));

        var json = await RunAsync("orders", "submit", symbol, "sell", "1", "--price", "120", "--id", "7", "--json");
        Assert.True(json.ExitCode == ExitCodes.Failure, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal("Rejected", document.RootElement.GetProperty("status").GetString());
        Assert.Equal("DuplicateOrderId", document.RootElement.GetProperty("reject_reason").GetString());
    }

    [Fact]
    public async Task Cancel_and_replace_change_the_book_and_unknown_ids_exit_1()
    {
        var symbol = Keys.New("CXL");
        await SubmitAsync(symbol, "buy", "10", "--price", "99", "--id", "1");
        await SubmitAsync(symbol, "buy", "4", "--price", "99", "--id", "2");
        await SubmitAsync(symbol, "sell", "3", "--price", "103", "--id", "3");

        var smaller = await RunAsync("orders", "replace", symbol, "1", "--qty", "6", "--json");
        Assert.True(smaller.ExitCode == ExitCodes.Success, smaller.ToString());
        Assert.Equal((Bids: Levels((99, 10, 2)), Asks: Levels((103, 3, 1))), await BookAsync(symbol));

        var moved = await RunAsync("orders", "replace", symbol, "2", "--price", "100");
        Assert.True(moved.ExitCode == ExitCodes.Success, moved.ToString());
        Assert.Equal((Bids: Levels((100, 4, 1), (99, 6, 1)), Asks: Levels((103, 3, 1))), await BookAsync(symbol));
        var top = await RunAsync("orders", "book", symbol, "--levels", "1", "--json");
        using (var document = JsonDocument.Parse(top.Output))
        {
            Assert.Single(document.RootElement.GetProperty("bids").EnumerateArray());
        }

        using var cancel = await SubmitOrCancelJsonAsync("orders", "cancel", symbol, "1");
        Assert.Equal(("Cancelled", 0L, 0L, 6L), Outcome(cancel.RootElement));
        Assert.Equal((Bids: Levels((100, 4, 1)), Asks: Levels((103, 3, 1))), await BookAsync(symbol));

        var again = await RunAsync("orders", "cancel", symbol, "1");
        Assert.True(again.ExitCode == ExitCodes.Failure, again.ToString());
        Assert.Equal("grid: orders cancel: order 1 rejected: UnknownOrderId", again.Error.Trim());
        var replaceUnknown = await RunAsync("orders", "replace", symbol, "42", "--qty", "1");
        Assert.True(replaceUnknown.ExitCode == ExitCodes.Failure, replaceUnknown.ToString());
        Assert.Contains("UnknownOrderId", replaceUnknown.Error, StringComparison.Ordinal);

        // A replace whose new price crosses trades.
        using var crossing = await SubmitOrCancelJsonAsync("orders", "replace", symbol, "2", "--price", "103");
        Assert.Equal(3, crossing.RootElement.GetProperty("filled_quantity").GetInt64());
        Assert.Equal((Bids: Levels((103, 1, 1)), Asks: Levels()), await BookAsync(symbol));
    }

    [Fact]
    public async Task Book_and_trades_of_a_new_symbol_are_empty()
    {
        var symbol = Keys.New("EMPTY");

        Assert.Equal((Bids: Levels(), Asks: Levels()), await BookAsync(symbol));
        Assert.Empty(await TradesAsync(symbol));
        var human = await RunAsync("orders", "book", symbol);
        Assert.True(human.ExitCode == ExitCodes.Success, human.ToString());
        Assert.Contains("empty book", human.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symbol_of_the_longest_size_the_client_accepts_trades()
    {
        var symbol = Keys.NewOfBytes("LONGEST", GridValidation.KeyBytesMax, '€');
        await SubmitAsync(symbol, "sell", "2", "--price", "10", "--id", "1");

        using var buy = await SubmitJsonAsync(symbol, "buy", "2", "--price", "10", "--id", "2");

        Assert.Equal(("Filled", 2L, 0L, 0L), Outcome(buy.RootElement));
        Assert.Single(await TradesAsync(symbol));
    }

    private Task<CliRun> RunAsync(params string[] args) => Cli.RunAsync([.. args, "--gateway", Gateway]);

    private async Task SubmitAsync(string symbol, params string[] order)
    {
        var run = await RunAsync(["orders", "submit", symbol, .. order]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
    }

    private Task<JsonDocument> SubmitJsonAsync(string symbol, params string[] order) =>
        SubmitOrCancelJsonAsync(["orders", "submit", symbol, .. order]);

    private async Task<JsonDocument> SubmitOrCancelJsonAsync(params string[] args)
    {
        var run = await RunAsync([.. args, "--json"]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        return JsonDocument.Parse(run.Output);
    }

    /// <summary>Status, filled, resting, cancelled.</summary>
    private static (string, long, long, long) Outcome(JsonElement result) => (
        result.GetProperty("status").GetString()!,
        result.GetProperty("filled_quantity").GetInt64(),
        result.GetProperty("remaining_quantity").GetInt64(),
        result.GetProperty("cancelled_quantity").GetInt64());

    private static string Levels(params (long Price, long Quantity, int Orders)[] levels) =>
        string.Join(" ", levels.Select(l => $"{l.Price}x{l.Quantity}/{l.Orders}"));

    private async Task<(string Bids, string Asks)> BookAsync(string symbol)
    {
        var run = await RunAsync("orders", "book", symbol, "--json");
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(symbol, json.RootElement.GetProperty("symbol").GetString());
        return (Side(json.RootElement.GetProperty("bids")), Side(json.RootElement.GetProperty("asks")));

        static string Side(JsonElement levels) => string.Join(" ", levels.EnumerateArray().Select(l =>
            $"{l.GetProperty("price").GetInt64()}x{l.GetProperty("quantity").GetInt64()}/" +
            $"{l.GetProperty("order_count").GetInt32()}"));
    }

    private async Task<List<(long TradeId, (long, long, long, long) Fill)>> TradesAsync(string symbol)
    {
        var run = await RunAsync("orders", "trades", symbol, "--json");
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        return json.RootElement.GetProperty("trades").EnumerateArray()
            .Select(t => (
                t.GetProperty("trade_id").GetInt64(),
                (t.GetProperty("aggressor_order_id").GetInt64(),
                    t.GetProperty("resting_order_id").GetInt64(),
                    t.GetProperty("price").GetInt64(),
                    t.GetProperty("quantity").GetInt64())))
            .ToList();
    }
}
