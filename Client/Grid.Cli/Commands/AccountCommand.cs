using System.CommandLine;
using System.Globalization;
using Grid.Cli.Output;
using Grid.Client;
using Grid.Client.Accounts;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid account</c>: open, deposit, transfer, balance, history. Amounts are whole minor units;
/// deposits and transfers are idempotent by their id (generated when not given, and printed).
/// </summary>
internal static class AccountCommand
{
    private static CliJsonContext Json => CliJsonContext.Default;

    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var command = new Command("account", "Money accounts: amounts in whole minor units (cents)")
        {
            Open(connection),
            Deposit(connection),
            Transfer(connection),
            Balance(connection),
            History(connection),
        };
        return connection.AddTo(command);
    }

    internal static (string From, string To, long Amount, string? Id) ReadTransfer(
        string from, string to, string amount, string? id)
    {
        CheckAccount(from, "FROM");
        CheckAccount(to, "TO");
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"FROM and TO must be different accounts, not '{from}' twice");
        }

        return (from, to, CliArguments.Amount(amount), CheckOperation(id));
    }

    internal static int CheckCount(int count, string name)
    {
        GridValidation.Count(count, name);
        return count;
    }

    private static Argument<string> AccountArgument(string name = "ID") =>
        new(name) { Description = "The account id" };

    private static Argument<string> AmountArgument() =>
        new("AMOUNT") { Description = "Whole minor units, > 0" };

    private static Option<string?> OperationOption(string helpName, string what) =>
        new("--id")
        {
            HelpName = helpName,
            Description = $"The {what}'s id: a retry with the same id applies once " +
                "(default: a new GUID)",
        };

    private static Command Open(ConnectionOptions connection)
    {
        var id = AccountArgument();
        var command = new Command("open", "Open an account (a no-op if it is open) and show it")
        {
            id,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "account open",
            () => CheckAccount(result.GetValue(id)!),
            async (client, account, output, _) =>
            {
                var view = await client.Accounts.OpenAsync(account).ConfigureAwait(false);
                await output.ResultAsync(view, Json.AccountView, () => Tables.Account(view))
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command Deposit(ConnectionOptions connection)
    {
        var id = AccountArgument();
        var amount = AmountArgument();
        var operation = OperationOption("OPID", "deposit");
        var command = new Command(
            "deposit", "Add money to an account; prints the deposit id and the balance")
        {
            id, amount, operation,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "account deposit",
            () => (
                Account: CheckAccount(result.GetValue(id)!),
                Amount: CliArguments.Amount(result.GetValue(amount)!),
                Id: CheckOperation(result.GetValue(operation))),
            async (client, arguments, output, _) =>
            {
                var deposit = await client.Accounts
                    .DepositAsync(arguments.Account, arguments.Amount, arguments.Id)
                    .ConfigureAwait(false);
                await output.ResultAsync(
                    new DepositJson(arguments.Account, deposit.DepositId, deposit.BalanceAfter),
                    Json.DepositJson,
                    $"deposit {deposit.DepositId}: balance {Format(deposit.BalanceAfter)}")
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command Transfer(ConnectionOptions connection)
    {
        var from = AccountArgument("FROM");
        var to = AccountArgument("TO");
        var amount = AmountArgument();
        var operation = OperationOption("TRANSFERID", "transfer");
        var command = new Command(
            "transfer",
            "Move money between accounts; exit 1 if refused (insufficient funds, account not open)")
        {
            from, to, amount, operation,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "account transfer",
            () => ReadTransfer(
                result.GetValue(from)!, result.GetValue(to)!, result.GetValue(amount)!,
                result.GetValue(operation)),
            async (client, arguments, output, _) =>
            {
                var transfer = await client.Accounts
                    .TransferAsync(arguments.From, arguments.To, arguments.Amount, arguments.Id)
                    .ConfigureAwait(false);
                await output.ResultAsync(transfer, Json.TransferResult,
                    $"transfer {transfer.TransferId}: {transfer.Status}, balance of " +
                    $"{arguments.From} {Format(transfer.BalanceAfter)}").ConfigureAwait(false);
                if (transfer.Succeeded)
                {
                    return ExitCodes.Success;
                }

                await output.FailAsync("account transfer",
                    $"transfer {transfer.TransferId} refused: {transfer.Status}")
                    .ConfigureAwait(false);
                return ExitCodes.Failure;
            },
            cancellationToken));
        return command;
    }

    private static Command Balance(ConnectionOptions connection)
    {
        var id = AccountArgument();
        var command = new Command("balance", "Print the balance in minor units") { id };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "account balance",
            () => CheckAccount(result.GetValue(id)!),
            async (client, account, output, _) =>
            {
                var balance = await client.Accounts.BalanceAsync(account).ConfigureAwait(false);
                await output.ResultAsync(new BalanceJson(account, balance), Json.BalanceJson,
                    Format(balance)).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command History(ConnectionOptions connection)
    {
        var id = AccountArgument();
        var max = new Option<int>("--max")
        {
            HelpName = "N",
            Description = $"Most recent entries to show (1-{GridValidation.PageMax})",
            DefaultValueFactory = _ => GridAccounts.DefaultHistory,
        };
        var command = new Command("history", "Show the most recent entries, newest last")
        {
            id, max,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "account history",
            () => (
                Account: CheckAccount(result.GetValue(id)!),
                Max: CheckCount(result.GetValue(max), "--max")),
            async (client, arguments, output, _) =>
            {
                var entries = await client.Accounts.HistoryAsync(arguments.Account, arguments.Max)
                    .ConfigureAwait(false);
                await output.ResultAsync(new HistoryJson(arguments.Account, entries),
                    Json.HistoryJson, () => Tables.History(entries)).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static string CheckAccount(string account, string name = "ID")
    {
        GridValidation.AccountId(account, name);
        return account;
    }

    private static string? CheckOperation(string? id)
    {
        if (id is not null)
        {
            GridValidation.OperationId(id, "--id");
        }

        return id;
    }

    private static string Format(long amount) => amount.ToString(CultureInfo.InvariantCulture);
}
