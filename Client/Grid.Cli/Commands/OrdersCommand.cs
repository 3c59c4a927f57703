using System.CommandLine;
using Grid.Cli.Output;
using Grid.Client;
using Grid.Client.Orders;
using Grid.Grains.Matching;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid orders</c>: submit, cancel, replace, book, trades on one symbol's book. Prices are
/// whole ticks. A rejected operation prints its result and exits 1.
/// </summary>
internal static class OrdersCommand
{
    private static CliJsonContext Json => CliJsonContext.Default;

    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var command = new Command(
            "orders", "Order books: price-time priority, prices in whole ticks")
        {
            Submit(connection),
            Cancel(connection),
            Replace(connection),
            Book(connection),
            Trades(connection),
        };
        return connection.AddTo(command);
    }

    internal static (string Symbol, OrderRequest Order) ReadOrder(
        string symbol, string side, string quantity, string? price, bool market, string? tif,
        string? id)
    {
        CheckSymbol(symbol);
        var orderSide = CliArguments.Side(side);
        var orderQuantity = CliArguments.Quantity(quantity);
        long? orderId = id is null ? null : CliArguments.OrderId(id, "--id");
        if (market && price is not null)
        {
            throw new ArgumentException(
                "--market and --price exclude each other: a market order has no price");
        }

        if (!market && price is null)
        {
            throw new ArgumentException(
                "a limit order needs --price P (or --market for a market order)");
        }

        var timeInForce = tif is not null ? CliArguments.TimeInForce(tif)
            : market ? TimeInForce.ImmediateOrCancel
            : TimeInForce.GoodTillCancel;
        var order = market
            ? OrderRequest.Market(orderSide, orderQuantity, timeInForce, orderId)
            : OrderRequest.Limit(orderSide, CliArguments.Price(price!), orderQuantity, timeInForce,
                orderId);
        GridOrders.Validate(order);
        return (symbol, order);
    }

    internal static (string Symbol, long OrderId, long? Quantity, long? Price) ReadReplace(
        string symbol, string orderId, string? quantity, string? price)
    {
        CheckSymbol(symbol);
        var id = CliArguments.OrderId(orderId);
        if (quantity is null && price is null)
        {
            throw new ArgumentException("replace needs --qty N, --price P or both");
        }

        return (symbol, id,
            quantity is null ? null : CliArguments.Quantity(quantity, "--qty"),
            price is null ? null : CliArguments.Price(price));
    }

    private static Argument<string> SymbolArgument() =>
        new("SYMBOL") { Description = "The book's symbol" };

    private static Argument<string> OrderIdArgument() =>
        new("ORDERID") { Description = "The order's id" };

    private static Command Submit(ConnectionOptions connection)
    {
        var symbol = SymbolArgument();
        var side = new Argument<string>("SIDE") { Description = "buy or sell" };
        var quantity = new Argument<string>("QTY") { Description = "Quantity, > 0" };
        var price = new Option<string?>("--price")
        {
            HelpName = "P",
            Description = "Limit price in ticks (limit orders)",
        };
        var market = new Option<bool>("--market")
        {
            Description = "A market order: any price, never rests",
        };
        var tif = new Option<string?>("--tif")
        {
            HelpName = "gtc|ioc|fok",
            Description = "Time in force (default: gtc for limit orders, ioc for market orders)",
        };
        var id = new Option<string?>("--id")
        {
            HelpName = "N",
            Description = "The order's id (default: the book assigns one)",
        };
        var command = new Command(
            "submit", "Submit a limit or market order; prints the result and its trades")
        {
            symbol, side, quantity, price, market, tif, id,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "orders submit",
            () => ReadOrder(
                result.GetValue(symbol)!, result.GetValue(side)!, result.GetValue(quantity)!,
                result.GetValue(price), result.GetValue(market), result.GetValue(tif),
                result.GetValue(id)),
            async (client, arguments, output, _) => await WriteResultAsync(output, "orders submit",
                await client.Orders.SubmitAsync(arguments.Symbol, arguments.Order)
                    .ConfigureAwait(false))
                .ConfigureAwait(false),
            cancellationToken));
        return command;
    }

    private static Command Cancel(ConnectionOptions connection)
    {
        var symbol = SymbolArgument();
        var orderId = OrderIdArgument();
        var command = new Command(
            "cancel", "Cancel a resting order; exit 1 if the book does not know it")
        {
            symbol, orderId,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "orders cancel",
            () => (
                Symbol: CheckSymbol(result.GetValue(symbol)!),
                OrderId: CliArguments.OrderId(result.GetValue(orderId)!)),
            async (client, arguments, output, _) => await WriteResultAsync(output, "orders cancel",
                await client.Orders.CancelAsync(arguments.Symbol, arguments.OrderId)
                    .ConfigureAwait(false))
                .ConfigureAwait(false),
            cancellationToken));
        return command;
    }

    private static Command Replace(ConnectionOptions connection)
    {
        var symbol = SymbolArgument();
        var orderId = OrderIdArgument();
        var quantity = new Option<string?>("--qty")
        {
            HelpName = "N",
            Description = "New total quantity",
        };
        var price = new Option<string?>("--price")
        {
            HelpName = "P",
            Description = "New price in ticks",
        };
        var command = new Command(
            "replace",
            "Change a resting order's quantity and/or price (only a pure decrease keeps its " +
            "time priority)")
        {
            symbol, orderId, quantity, price,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "orders replace",
            () => ReadReplace(
                result.GetValue(symbol)!, result.GetValue(orderId)!, result.GetValue(quantity),
                result.GetValue(price)),
            async (client, arguments, output, _) => await WriteResultAsync(output, "orders replace",
                await client.Orders
                    .ReplaceAsync(
                        arguments.Symbol, arguments.OrderId, arguments.Quantity, arguments.Price)
                    .ConfigureAwait(false))
                .ConfigureAwait(false),
            cancellationToken));
        return command;
    }

    private static Command Book(ConnectionOptions connection)
    {
        var symbol = SymbolArgument();
        var levels = new Option<int>("--levels")
        {
            HelpName = "N",
            Description = $"Price levels per side (1-{GridValidation.PageMax})",
            DefaultValueFactory = _ => GridOrders.DefaultLevels,
        };
        var command = new Command("book", "Show the best price levels of each side")
        {
            symbol, levels,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "orders book",
            () => (
                Symbol: CheckSymbol(result.GetValue(symbol)!),
                Levels: AccountCommand.CheckCount(result.GetValue(levels), "--levels")),
            async (client, arguments, output, _) =>
            {
                var depth = await client.Orders.BookAsync(arguments.Symbol, arguments.Levels)
                    .ConfigureAwait(false);
                await output.ResultAsync(new BookJson(arguments.Symbol, depth.Bids, depth.Asks),
                    Json.BookJson, () => Tables.Book(depth)).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command Trades(ConnectionOptions connection)
    {
        var symbol = SymbolArgument();
        var max = new Option<int>("--max")
        {
            HelpName = "N",
            Description = $"Most recent trades to show (1-{GridValidation.PageMax})",
            DefaultValueFactory = _ => GridOrders.DefaultTrades,
        };
        var command = new Command("trades", "Show the most recent trades, oldest first")
        {
            symbol, max,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "orders trades",
            () => (
                Symbol: CheckSymbol(result.GetValue(symbol)!),
                Max: AccountCommand.CheckCount(result.GetValue(max), "--max")),
            async (client, arguments, output, _) =>
            {
                var trades = await client.Orders.TradesAsync(arguments.Symbol, arguments.Max)
                    .ConfigureAwait(false);
                await output.ResultAsync(new TradesJson(arguments.Symbol, trades), Json.TradesJson,
                    () => Tables.Trades(trades)).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static string CheckSymbol(string symbol)
    {
        GridValidation.Symbol(symbol, "SYMBOL");
        return symbol;
    }

    private static async Task<int> WriteResultAsync(
        CliOutput output, string name, OrderResult result)
    {
        if (output.Json)
        {
            await output.WriteJsonAsync(result, Json.OrderResult).ConfigureAwait(false);
        }
        else
        {
            output.Write(Tables.Order(result));
            if (result.Trades.Count > 0)
            {
                output.Write(Tables.Trades(result.Trades));
            }
        }

        if (result.Accepted)
        {
            return ExitCodes.Success;
        }

        await output.FailAsync(name, $"order {result.OrderId} rejected: {result.RejectReason}")
            .ConfigureAwait(false);
        return ExitCodes.Failure;
    }
}
