using System.Globalization;
using System.Text.Json;
using Grid.Client.Status;
using Grid.Grains.Accounts;
using Grid.Grains.Matching;
using Spectre.Console;

namespace Grid.Cli.Output;

/// <summary>The Spectre tables of the client commands' human output.</summary>
internal static class Tables
{
    public static Table Account(AccountView view)
    {
        var table = New("account", "open", "balance", "in flight", "pending credits");
        RightAlign(table, 2, 3, 4);
        table.AddRow(
            Markup.Escape(view.AccountId),
            view.IsOpen ? "yes" : "no",
            Number(view.Balance),
            Number(view.InFlight),
            Number(view.PendingCredits));
        return table;
    }

    public static Table History(IReadOnlyList<AccountEntry> entries)
    {
        var table = New("at (UTC)", "kind", "operation", "counterparty", "amount", "balance after");
        RightAlign(table, 4, 5);
        foreach (var entry in entries)
        {
            table.AddRow(
                Time(entry.At, "yyyy-MM-dd HH:mm:ss.fff"),
                entry.Kind.ToString(),
                Markup.Escape(entry.OperationId),
                Markup.Escape(entry.Counterparty ?? ""),
                Number(entry.Amount),
                Number(entry.BalanceAfter));
        }

        return Caption(table, entries.Count == 0 ? "no entries" : null);
    }

    public static Table Order(OrderResult result)
    {
        var table = New("order", "status", "quantity", "filled", "resting", "cancelled", "trades");
        RightAlign(table, 0, 2, 3, 4, 5, 6);
        table.AddRow(
            Number(result.OrderId),
            result.Status == OrderStatus.Rejected
                ? $"Rejected ({result.RejectReason})"
                : result.Status.ToString(),
            Number(result.Quantity),
            Number(result.FilledQuantity),
            Number(result.RemainingQuantity),
            Number(result.CancelledQuantity),
            Number(result.Trades.Count));
        return table;
    }

    public static Table Trades(IReadOnlyList<Trade> trades)
    {
        var table = New("trade", "aggressor", "resting", "side", "price", "quantity");
        RightAlign(table, 0, 1, 2, 4, 5);
        foreach (var trade in trades)
        {
            table.AddRow(
                Number(trade.TradeId),
                Number(trade.AggressorOrderId),
                Number(trade.RestingOrderId),
                trade.AggressorSide.ToString(),
                Number(trade.Price),
                Number(trade.Quantity));
        }

        return Caption(table, trades.Count == 0 ? "no trades" : null);
    }

    /// <summary>Bids and asks side by side, best first: the book as traders read it.</summary>
    public static Table Book(BookDepth depth)
    {
        var table = New("bid orders", "bid qty", "bid", "ask", "ask qty", "ask orders");
        RightAlign(table, 0, 1, 2);
        var rows = Math.Max(depth.Bids.Count, depth.Asks.Count);
        for (var i = 0; i < rows; i++)
        {
            var bid = i < depth.Bids.Count ? depth.Bids[i] : null;
            var ask = i < depth.Asks.Count ? depth.Asks[i] : null;
            table.AddRow(
                bid is null ? "" : Number(bid.OrderCount),
                bid is null ? "" : Number(bid.Quantity),
                bid is null ? "" : Number(bid.Price),
                ask is null ? "" : Number(ask.Price),
                ask is null ? "" : Number(ask.Quantity),
                ask is null ? "" : Number(ask.OrderCount));
        }

        return Caption(table, rows == 0 ? "empty book" : null);
    }

    public static Table Silos(IReadOnlyList<SiloInfo> silos)
    {
        var table = New("address", "status", "name", "host", "gateway", "started (UTC)");
        foreach (var silo in silos)
        {
            table.AddRow(
                Markup.Escape(silo.Address),
                silo.IsActive ? "[green]Active[/]" : Markup.Escape(silo.Status),
                Markup.Escape(silo.Name ?? ""),
                Markup.Escape(silo.HostName ?? ""),
                silo.GatewayPort is { } port and > 0 ? Number(port) : "",
                silo.StartedAt is { } started ? Time(started, "yyyy-MM-dd HH:mm:ss") : "");
        }

        return Caption(table, silos.Count == 0 ? "no silos" : null);
    }

    /// <summary>
    /// The memory nodes of grid-silo's /health document (<c>memoryNodes</c>): where each
    /// connection stands. Null when the document has none. Fields the silo did not send (an older
    /// silo) stay empty; nothing in it is trusted to be there.
    /// </summary>
    public static Table? MemoryNodes(JsonElement health)
    {
        if (health.ValueKind != JsonValueKind.Object
            || !health.TryGetProperty("memoryNodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var table = New("memory node", "connection", "attempts", "reconnects", "rebuild", "detail");
        RightAlign(table, 2, 3);
        foreach (var node in nodes.EnumerateArray())
        {
            var connection = Text(node, "connection") ?? Text(node, "state") ?? "";
            table.AddRow(
                Markup.Escape(Text(node, "name") ?? "?"),
                connection == "connected" ? "[green]connected[/]" : Markup.Escape(connection),
                Whole(node, "attempts"),
                Whole(node, "reconnects"),
                Markup.Escape(Text(node, "rebuild") ?? ""),
                Markup.Escape(Text(node, "detail") ?? ""));
        }

        return table;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Whole(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            && value.TryGetInt64(out var number) ? Number(number) : "";

    private static Table New(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        return table;
    }

    private static void RightAlign(Table table, params int[] columns)
    {
        foreach (var column in columns)
        {
            table.Columns[column].RightAligned();
        }
    }

    private static Table Caption(Table table, string? caption) =>
        caption is null ? table : table.Caption(Markup.Escape(caption));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time, string format) =>
        time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
}
