using System.Text.Json;
using Grid.Cli.Output;
using Grid.Client.Status;
using Grid.Grains.Accounts;
using Grid.Grains.Matching;

namespace Grid.Cli.Tests.Output;

/// <summary>The tables and JSON documents of the client commands, from hand-made results.</summary>
public sealed class OutputTests
{
    private static readonly Trade Fill = new(TradeId: 9, AggressorOrderId: 12, RestingOrderId: 3, Price: 101,
        Quantity: 4, AggressorSide: Side.Buy);

    [Fact]
    public void The_book_table_puts_bids_and_asks_side_by_side_best_first()
    {
        var depth = new BookDepth([new DepthLevel(100, 7, 2), new DepthLevel(99, 1, 1)], [new DepthLevel(102, 5, 1)]);

        var lines = Render(output => output.Write(Tables.Book(depth)));

        var first = Assert.Single(lines, l => l.Contains("100", StringComparison.Ordinal));
        Assert.Matches(@"│\s+2 │\s+7 │\s+100 │ 102\s+│ 5\s+│ 1\s+│", first);
        var second = Assert.Single(lines, l => l.Contains("99", StringComparison.Ordinal));
        Assert.Matches(@"│\s+1 │\s+1 │\s+99 │\s+│\s+│\s+│", second);
    }

    [Fact]
    public void An_empty_book_says_so()
    {
        var lines = Render(output => output.Write(Tables.Book(new BookDepth([], []))));

        Assert.Contains(lines, l => l.Contains("empty book", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rejected_order_shows_why()
    {
        var result = new OrderResult(5, OrderStatus.Rejected, RejectReason.DuplicateOrderId, 0, 0, 0, 0, [], []);

        var lines = Render(output => output.Write(Tables.Order(result)));

        Assert.Contains(lines, l => l.Contains("Rejected (DuplicateOrderId)", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_with_markup_characters_are_printed_as_they_are()
    {
        var view = new AccountView("[red]x[/]", true, 1250, 0, 0, []);

        var lines = Render(output => output.Write(Tables.Account(view)));

        Assert.Contains(lines, l => l.Contains("[red]x[/]", StringComparison.Ordinal) && l.Contains("1250", StringComparison.Ordinal));
    }

    [Fact]
    public void The_silo_table_has_address_status_and_name()
    {
        var silo = new SiloInfo("127.0.0.1:11111@1", "Active", "silo-a", "vm", 30000, null, null);
        var dead = new SiloInfo("127.0.0.1:11112@1", "Dead", "silo-b", "vm", 30001, null, null);

        var lines = Render(output => output.Write(Tables.Silos([silo, dead])));

        Assert.Contains(lines, l => l.Contains("127.0.0.1:11111@1", StringComparison.Ordinal)
            && l.Contains("Active", StringComparison.Ordinal) && l.Contains("silo-a", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Dead", StringComparison.Ordinal) && l.Contains("silo-b", StringComparison.Ordinal));
    }

    [Fact]
    public void Order_json_is_snake_case_with_enum_names()
    {
        var result = new OrderResult(12, OrderStatus.PartiallyFilled, RejectReason.None, 10, 4, 6, 0, [Fill], []);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(result, CliJsonContext.Default.OrderResult));

        var root = json.RootElement;
        Assert.Equal(12, root.GetProperty("order_id").GetInt64());
        Assert.Equal("PartiallyFilled", root.GetProperty("status").GetString());
        Assert.Equal(6, root.GetProperty("remaining_quantity").GetInt64());
        var trade = root.GetProperty("trades")[0];
        Assert.Equal("Buy", trade.GetProperty("aggressor_side").GetString());
        Assert.Equal(3, trade.GetProperty("resting_order_id").GetInt64());
    }

    [Fact]
    public void History_json_names_the_account_and_keeps_signed_amounts()
    {
        var entry = new AccountEntry(AccountEntryKind.TransferOut, "t-1", "bob", -500, 750, DateTimeOffset.UnixEpoch);

        using var json = JsonDocument.Parse(
            JsonSerializer.Serialize(new HistoryJson("alice", [entry]), CliJsonContext.Default.HistoryJson));

        Assert.Equal("alice", json.RootElement.GetProperty("account").GetString());
        var first = json.RootElement.GetProperty("entries")[0];
        Assert.Equal("TransferOut", first.GetProperty("kind").GetString());
        Assert.Equal(-500, first.GetProperty("amount").GetInt64());
        Assert.Equal("bob", first.GetProperty("counterparty").GetString());
    }

    private static string[] Render(Action<CliOutput> write)
    {
        using var output = new StringWriter();
        write(new CliOutput(output, TextWriter.Null, json: false));
        return output.ToString().Split('\n');
    }
}
