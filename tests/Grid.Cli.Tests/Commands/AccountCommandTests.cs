using System.Text.Json;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;
using Grid.Client;

namespace Grid.Cli.Tests.Commands;

/// <summary><c>grid account ...</c> against the real account grains and SWARM storage.</summary>
[Collection(SiloCollection.Name)]
public sealed class AccountCommandTests(SiloFixture fixture)
{
    private string Gateway => fixture.Silo.Gateway;

    [Fact]
    public async Task Open_shows_the_account_and_opening_twice_changes_nothing()
    {
        var alice = Keys.New("alice");

        var open = await RunAsync("account", "open", alice);
        Assert.True(open.ExitCode == ExitCodes.Success, open.ToString());
        Assert.Contains(alice, open.Output, StringComparison.Ordinal);
        Assert.Contains("yes", open.Output, StringComparison.Ordinal);

        await DepositAsync(alice, "250", Keys.New("d"));
        var again = await RunAsync("account", "open", alice, "--json");
        Assert.True(again.ExitCode == ExitCodes.Success, again.ToString());
        using var json = JsonDocument.Parse(again.Output);
        Assert.Equal(alice, json.RootElement.GetProperty("account_id").GetString());
        Assert.True(json.RootElement.GetProperty("is_open").GetBoolean());
        Assert.Equal(250, json.RootElement.GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task A_deposit_repeated_with_its_id_applies_once()
    {
        var alice = await OpenAsync("alice");
        var id = Keys.New("dep");

        var first = await RunAsync("account", "deposit", alice, "1000", "--id", id);
        var retry = await RunAsync("account", "deposit", alice, "1000", "--id", id);

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.Equal($"deposit {id}: balance 1000", first.Output.Trim());
        Assert.True(retry.ExitCode == ExitCodes.Success, retry.ToString());
        Assert.Equal(first.Output, retry.Output);
        Assert.Equal("1000", (await RunAsync("account", "balance", alice)).Output.Trim());

        var other = await RunAsync("account", "deposit", alice, "5", "--json");
        Assert.True(other.ExitCode == ExitCodes.Success, other.ToString());
        using var json = JsonDocument.Parse(other.Output);
        Assert.Equal(1005, json.RootElement.GetProperty("balance").GetInt64());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("deposit_id").GetString()));

        var history = await HistoryAsync(alice);
        Assert.Equal(2, history.Count);
    }

    [Fact]
    public async Task Reusing_a_deposit_id_for_another_amount_exits_1()
    {
        var alice = await OpenAsync("alice");
        var id = Keys.New("dep");
        await DepositAsync(alice, "100", id);

        var run = await RunAsync("account", "deposit", alice, "200", "--id", id);

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.Contains("already used", run.Error, StringComparison.Ordinal);
        Assert.Equal("100", (await RunAsync("account", "balance", alice)).Output.Trim());
    }

    [Fact]
    public async Task A_deposit_to_an_account_not_open_exits_1_with_the_grains_reason()
    {
        var nobody = Keys.New("nobody");

        var run = await RunAsync("account", "deposit", nobody, "100");

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.StartsWith("grid: account deposit: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("is not open", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task Transfers_move_money_once_refusals_exit_1_and_history_is_in_order()
    {
        var alice = await OpenAsync("alice");
        var bob = await OpenAsync("bob");
        var depositId = Keys.New("dep");
        var transferId = Keys.New("tr");
        await DepositAsync(alice, "1000", depositId);

        var transfer = await RunAsync("account", "transfer", alice, bob, "300", "--id", transferId);
        Assert.True(transfer.ExitCode == ExitCodes.Success, transfer.ToString());
        Assert.Equal($"transfer {transferId}: Completed, balance of {alice} 700", transfer.Output.Trim());

        var retry = await RunAsync("account", "transfer", alice, bob, "300", "--id", transferId, "--json");
        Assert.True(retry.ExitCode == ExitCodes.Success, retry.ToString());
        using (var json = JsonDocument.Parse(retry.Output))
        {
            Assert.Equal(transferId, json.RootElement.GetProperty("transfer_id").GetString());
            Assert.Equal("Completed", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(700, json.RootElement.GetProperty("balance_after").GetInt64());
        }

        var poor = await RunAsync("account", "transfer", alice, bob, "701");
        Assert.True(poor.ExitCode == ExitCodes.Failure, poor.ToString());
        Assert.Contains("InsufficientFunds", poor.Output, StringComparison.Ordinal);
        Assert.Contains("refused: InsufficientFunds", poor.Error, StringComparison.Ordinal);

        var unknown = Keys.New("unknown");
        var lost = await RunAsync("account", "transfer", alice, unknown, "10", "--json");
        Assert.True(lost.ExitCode == ExitCodes.Failure, lost.ToString());
        using (var json = JsonDocument.Parse(lost.Output))
        {
            Assert.Equal("UnknownDestination", json.RootElement.GetProperty("status").GetString());
            Assert.False(json.RootElement.GetProperty("succeeded").GetBoolean());
        }

        Assert.Contains("refused: UnknownDestination", lost.Error, StringComparison.Ordinal);

        Assert.Equal("700", (await RunAsync("account", "balance", alice)).Output.Trim());
        var bobBalance = await RunAsync("account", "balance", bob, "--json");
        using (var json = JsonDocument.Parse(bobBalance.Output))
        {
            Assert.Equal(300, json.RootElement.GetProperty("balance").GetInt64());
        }

        Assert.Equal("0", (await RunAsync("account", "balance", unknown)).Output.Trim());

        // Newest last; refusals move nothing and are not history.
        var aliceHistory = await HistoryAsync(alice);
        Assert.Equal(
            [("Deposit", depositId, 1000L, 1000L), ("TransferOut", transferId, -300L, 700L)],
            aliceHistory.Select(e => (e.Kind, e.OperationId, e.Amount, e.BalanceAfter)));
        Assert.Equal(bob, aliceHistory[1].Counterparty);
        Assert.True(aliceHistory[0].At <= aliceHistory[1].At);
        var bobHistory = await HistoryAsync(bob);
        var credit = Assert.Single(bobHistory);
        Assert.Equal(("TransferIn", transferId, 300L, alice), (credit.Kind, credit.OperationId, credit.Amount, credit.Counterparty));

        var newest = await HistoryAsync(alice, "--max", "1");
        Assert.Equal(transferId, Assert.Single(newest).OperationId);

        var table = await RunAsync("account", "history", alice);
        Assert.True(table.ExitCode == ExitCodes.Success, table.ToString());
        var depositAt = table.Output.IndexOf(depositId, StringComparison.Ordinal);
        var transferAt = table.Output.IndexOf(transferId, StringComparison.Ordinal);
        Assert.True(depositAt >= 0 && transferAt > depositAt, table.Output);
    }

    [Fact]
    public async Task A_transfer_from_an_account_not_open_is_refused()
    {
        var nobody = Keys.New("nobody");
        var bob = await OpenAsync("bob");

        var run = await RunAsync("account", "transfer", nobody, bob, "10");

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.Contains("refused: AccountNotOpen", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ids_of_the_longest_length_the_client_accepts_work_end_to_end()
    {
        var from = Keys.New("from").PadRight(GridValidation.IdLengthMax, 'f');
        var to = Keys.New("to").PadRight(GridValidation.IdLengthMax, 't');
        var transferId = Keys.New("tr").PadRight(GridValidation.IdLengthMax, 'i');
        Assert.Equal(ExitCodes.Success, (await RunAsync("account", "open", from)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("account", "open", to)).ExitCode);
        await DepositAsync(from, "10", Keys.New("dep").PadRight(GridValidation.IdLengthMax, 'd'));

        var run = await RunAsync("account", "transfer", from, to, "4", "--id", transferId);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("4", (await RunAsync("account", "balance", to)).Output.Trim());
    }

    private Task<CliRun> RunAsync(params string[] args) => Cli.RunAsync([.. args, "--gateway", Gateway]);

    private async Task<string> OpenAsync(string prefix)
    {
        var account = Keys.New(prefix);
        var run = await RunAsync("account", "open", account);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        return account;
    }

    private async Task DepositAsync(string account, string amount, string id)
    {
        var run = await RunAsync("account", "deposit", account, amount, "--id", id);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
    }

    private async Task<List<Entry>> HistoryAsync(string account, params string[] options)
    {
        var run = await RunAsync(["account", "history", account, "--json", .. options]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(account, json.RootElement.GetProperty("account").GetString());
        return json.RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => new Entry(
                e.GetProperty("kind").GetString()!,
                e.GetProperty("operation_id").GetString()!,
                e.GetProperty("counterparty").GetString(),
                e.GetProperty("amount").GetInt64(),
                e.GetProperty("balance_after").GetInt64(),
                e.GetProperty("at").GetDateTimeOffset()))
            .ToList();
    }

    private sealed record Entry(
        string Kind, string OperationId, string? Counterparty, long Amount, long BalanceAfter,
        DateTimeOffset At);
}
