using Grid.Grains.Accounts;
using Grid.Grains.Tests.Cluster;

namespace Grid.Grains.Tests.Accounts;

[Collection(ClusterCollection.Name)]
public sealed class AccountGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Open_is_idempotent_and_survives_deactivation()
    {
        var account = fixture.Grains.GetGrain<IAccountGrain>(Accounts.NewId("a"));
        Assert.False((await account.GetState()).IsOpen);

        var first = await account.Open();
        var second = await account.Open();
        await fixture.DeactivateAsync(account);

        Assert.True(first.IsOpen);
        Assert.True(second.IsOpen);
        var view = await account.GetState();
        Assert.True(view.IsOpen);
        Assert.Equal((0L, 0L, 0), (view.Balance, view.InFlight, view.PendingCredits));
    }

    [Fact]
    public async Task A_deposit_is_applied_once_per_id_even_across_deactivation()
    {
        var account = await fixture.OpenAsync("a");

        Assert.Equal(100, await account.Deposit("d1", 100));
        Assert.Equal(100, await account.Deposit("d1", 100));
        Assert.Equal(150, await account.Deposit("d2", 50));
        await fixture.DeactivateAsync(account);
        Assert.Equal(100, await account.Deposit("d1", 100));

        Assert.Equal(150, await account.GetBalance());
        var history = await account.GetHistory(10);
        Assert.Equal(["d1", "d2"], history.Select(e => e.OperationId));
        Assert.All(history, e => Assert.Equal(AccountEntryKind.Deposit, e.Kind));
    }

    [Fact]
    public async Task A_deposit_id_reused_with_another_amount_is_rejected()
    {
        var account = await fixture.OpenAsync("a");
        await account.Deposit("d1", 100);

        await Assert.ThrowsAsync<ArgumentException>(() => account.Deposit("d1", 101));

        Assert.Equal(100, await account.GetBalance());
    }

    [Fact]
    public async Task A_deposit_to_a_closed_account_or_one_that_overflows_is_refused()
    {
        var closed = fixture.Grains.GetGrain<IAccountGrain>(Accounts.NewId("a"));
        var full = await fixture.OpenAsync("a", long.MaxValue - 10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => closed.Deposit("d1", 5));
        var overflow = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => full.Deposit("d-over", 11));

        Assert.Contains("overflow", overflow.Message, StringComparison.Ordinal);
        Assert.Equal(long.MaxValue - 10, await full.GetBalance());
        Assert.Equal(long.MaxValue, await full.Deposit("d-fits", 10));
        await closed.Open();
        Assert.Equal(5, await closed.Deposit("d1", 5));
    }

    [Fact]
    public async Task A_transfer_moves_money_and_records_both_sides()
    {
        var from = await fixture.OpenAsync("from", 100);
        var to = await fixture.OpenAsync("to", 10);

        var result = await from.Transfer("t1", to.Id(), 30);

        Assert.Equal(new TransferResult("t1", TransferStatus.Completed, 70), result);
        Assert.True(result.Succeeded);
        Assert.Equal(70, await from.GetBalance());
        Assert.Equal(40, await to.GetBalance());
        var fromView = await from.GetState();
        Assert.Equal((0L, 0), (fromView.InFlight, fromView.PendingCredits));
        var sent = (await from.GetHistory(1)).Single();
        var received = (await to.GetHistory(1)).Single();
        Assert.Equal((AccountEntryKind.TransferOut, "t1", to.Id(), -30L, 70L),
            (sent.Kind, sent.OperationId, sent.Counterparty, sent.Amount, sent.BalanceAfter));
        Assert.Equal((AccountEntryKind.TransferIn, "t1", from.Id(), 30L, 40L),
            (received.Kind, received.OperationId, received.Counterparty, received.Amount,
                received.BalanceAfter));
    }

    [Fact]
    public async Task An_uncovered_transfer_is_rejected_and_the_rejection_is_remembered()
    {
        var from = await fixture.OpenAsync("from", 20);
        var to = await fixture.OpenAsync("to");

        var rejected = await from.Transfer("t1", to.Id(), 21);
        await from.Deposit("d-more", 100);
        var retried = await from.Transfer("t1", to.Id(), 21);
        var fresh = await from.Transfer("t2", to.Id(), 21);

        Assert.Equal(new TransferResult("t1", TransferStatus.InsufficientFunds, 20), rejected);
        Assert.Equal(rejected, retried);
        Assert.Equal(TransferStatus.Completed, fresh.Status);
        Assert.Equal(99, await from.GetBalance());
        Assert.Equal(21, await to.GetBalance());
    }

    [Fact]
    public async Task A_transfer_to_an_account_that_is_not_open_is_rejected()
    {
        var from = await fixture.OpenAsync("from", 50);
        var nowhere = Accounts.NewId("nowhere");

        var result = await from.Transfer("t1", nowhere, 10);

        Assert.Equal(new TransferResult("t1", TransferStatus.UnknownDestination, 50), result);
        Assert.Equal(50, await from.GetBalance());
        Assert.Equal(0, await fixture.Grains.GetGrain<IAccountGrain>(nowhere).GetBalance());
        Assert.Equal(0, (await from.GetState()).InFlight);
    }

    [Fact]
    public async Task A_transfer_from_an_account_that_is_not_open_is_rejected()
    {
        var from = fixture.Grains.GetGrain<IAccountGrain>(Accounts.NewId("from"));
        var to = await fixture.OpenAsync("to");

        var result = await from.Transfer("t1", to.Id(), 10);

        Assert.Equal(TransferStatus.AccountNotOpen, result.Status);
        Assert.Equal(0, await to.GetBalance());
    }

    [Fact]
    public async Task Retrying_a_transfer_returns_the_first_result_and_moves_money_once()
    {
        var from = await fixture.OpenAsync("from", 100);
        var to = await fixture.OpenAsync("to");

        var first = await from.Transfer("t1", to.Id(), 40);
        var again = await from.Transfer("t1", to.Id(), 40);
        await fixture.DeactivateAsync(from);
        await fixture.DeactivateAsync(to);
        var afterReactivation = await from.Transfer("t1", to.Id(), 40);

        Assert.Equal(first, again);
        Assert.Equal(first, afterReactivation);
        Assert.Equal(60, await from.GetBalance());
        Assert.Equal(40, await to.GetBalance());
        Assert.Single(await to.GetHistory(10));
    }

    [Fact]
    public async Task A_transfer_id_reused_with_other_arguments_is_rejected()
    {
        var from = await fixture.OpenAsync("from", 100);
        var to = await fixture.OpenAsync("to");
        var other = await fixture.OpenAsync("other");
        await from.Transfer("t1", to.Id(), 40);

        await Assert.ThrowsAsync<ArgumentException>(() => from.Transfer("t1", to.Id(), 41));
        await Assert.ThrowsAsync<ArgumentException>(() => from.Transfer("t1", other.Id(), 40));
        await Assert.ThrowsAsync<ArgumentException>(() => from.Deposit("t1", 40));

        Assert.Equal((60L, 40L, 0L),
            (await from.GetBalance(), await to.GetBalance(), await other.GetBalance()));
    }

    [Fact]
    public async Task Bad_arguments_throw_and_move_nothing()
    {
        var from = await fixture.OpenAsync("from", 100);
        var to = await fixture.OpenAsync("to");
        var longId = new string('x', AccountGrain.OperationIdLengthMax + 1);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Transfer("t", to.Id(), 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Transfer("t", to.Id(), -5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Transfer("t", from.Id(), 5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Transfer("t", "", 5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Transfer("", to.Id(), 5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Transfer(longId, to.Id(), 5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Deposit("d", 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.Deposit(" ", 5));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => from.GetHistory(0));
        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => from.GetHistory(AccountGrain.HistoryQueryMax + 1));

        Assert.Equal((100L, 0L), (await from.GetBalance(), await to.GetBalance()));
        // The ids of refused calls stay unused.
        Assert.Equal(TransferStatus.Completed, (await from.Transfer("t", to.Id(), 5)).Status);
    }

    [Fact]
    public async Task History_is_bounded_and_returns_the_newest_last()
    {
        var account = await fixture.OpenAsync("a");
        for (var i = 1; i <= AccountGrain.HistoryCountMax + 5; i++)
            await account.Deposit($"d{i}", 1);

        var all = await account.GetHistory(AccountGrain.HistoryQueryMax);
        var lastTwo = await account.GetHistory(2);

        Assert.Equal(AccountGrain.HistoryCountMax, all.Count);
        Assert.Equal("d6", all[0].OperationId);
        Assert.Equal(["d204", "d205"], lastTwo.Select(e => e.OperationId));
        Assert.Equal(AccountGrain.HistoryCountMax + 5, lastTwo[1].BalanceAfter);
    }

    [Fact]
    public async Task A_credit_from_the_same_source_and_sequence_is_applied_once()
    {
        var account = await fixture.OpenAsync("a");
        var credit = new TransferCredit("some-source", 1, "t1", 25);

        await account.Credit(credit);
        await account.Credit(credit);
        await account.Credit(credit with { Sequence = 2, TransferId = "t2" });
        await account.Credit(credit);

        Assert.Equal(50, await account.GetBalance());
    }

    [Fact]
    public async Task An_account_id_too_long_to_receive_transfers_cannot_be_opened()
    {
        var account = fixture.Grains.GetGrain<IAccountGrain>(new string('x', AccountGrain.OperationIdLengthMax + 1));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => account.Open());
        Assert.Contains("limit is 128", ex.Message, StringComparison.Ordinal);
        Assert.False((await account.GetState()).IsOpen);
    }
}
