using Grid.Grains.Accounts;
using Grid.Grains.Tests.Cluster;

namespace Grid.Grains.Tests.Accounts;

/// <summary>
/// Storage faults at each step of a transfer after the debit: the caller sees an error of
/// unknown outcome, retries the same id, and the money must arrive exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AccountCrashRecoveryTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(FaultTiming.BeforePersist)]
    [InlineData(FaultTiming.AfterPersist)]
    public async Task A_failed_debit_write_is_finished_by_retrying_the_same_id(FaultTiming timing)
    {
        var (from, to) = await OpenPairAsync();
        fixture.Faults.FailWrite(from.GetGrainId(), timing);

        await Assert.ThrowsAnyAsync<Exception>(() => from.Transfer("t1", to.Id(), 30));
        var retried = await Retry.UntilSuccessAsync(() => from.Transfer("t1", to.Id(), 30));

        Assert.Equal(new TransferResult("t1", TransferStatus.Completed, 70), retried);
        // Completed means credited: no waiting for the timer.
        Assert.Equal(30, await to.GetBalance());
        await AssertSettledAsync(from, 70, to, 30);
    }

    [Theory]
    [InlineData(FaultTiming.BeforePersist)]
    [InlineData(FaultTiming.AfterPersist)]
    public async Task A_failed_credit_write_is_finished_by_retrying_the_same_id(FaultTiming timing)
    {
        var (from, to) = await OpenPairAsync();
        fixture.Faults.FailWrite(to.GetGrainId(), timing);

        await Assert.ThrowsAnyAsync<Exception>(() => from.Transfer("t1", to.Id(), 30));
        var retried = await Retry.UntilSuccessAsync(() => from.Transfer("t1", to.Id(), 30));

        Assert.Equal(new TransferResult("t1", TransferStatus.Completed, 70), retried);
        // Completed means credited: no waiting for the timer.
        Assert.Equal(30, await to.GetBalance());
        await AssertSettledAsync(from, 70, to, 30);
        Assert.Single(await to.GetHistory(10), e => e.OperationId == "t1");
    }

    [Fact]
    public async Task A_failed_outbox_write_after_the_credit_is_finished_exactly_once()
    {
        var (from, to) = await OpenPairAsync();
        // The debit write succeeds; the write that drops the delivered credit fails.
        fixture.Faults.FailWrite(from.GetGrainId(), FaultTiming.BeforePersist, skip: 1);

        await Assert.ThrowsAnyAsync<Exception>(() => from.Transfer("t1", to.Id(), 30));
        var retried = await Retry.UntilSuccessAsync(() => from.Transfer("t1", to.Id(), 30));

        Assert.Equal(TransferStatus.Completed, retried.Status);
        Assert.Equal(30, await to.GetBalance());
        await AssertSettledAsync(from, 70, to, 30);
    }

    [Fact]
    public async Task While_the_credit_fails_the_money_is_in_flight_and_the_timer_delivers_it()
    {
        var (from, to) = await OpenPairAsync();
        fixture.Faults.FailWrite(to.GetGrainId(), FaultTiming.BeforePersist);

        await Assert.ThrowsAnyAsync<Exception>(() => from.Transfer("t1", to.Id(), 30));

        // Nobody retries: the sender's redelivery timer finishes the transfer.
        var settled = await Retry.UntilAsync(from.GetState, v => v.InFlight == 0);
        Assert.Equal(70, settled.Balance);
        Assert.Equal(30, await Retry.UntilSuccessAsync(to.GetBalance));
        Assert.Equal(TransferStatus.Completed, (await from.Transfer("t1", to.Id(), 30)).Status);
        await AssertSettledAsync(from, 70, to, 30);
    }

    [Fact]
    public async Task After_a_crash_any_call_activating_the_sender_delivers_its_pending_credit()
    {
        var (from, to) = await OpenPairAsync();
        // The debit is stored but the activation is told it failed, and resets: the credit
        // sits in the stored outbox with no activation left to deliver it.
        fixture.Faults.FailWrite(from.GetGrainId(), FaultTiming.AfterPersist);
        await Assert.ThrowsAnyAsync<Exception>(() => from.Transfer("t1", to.Id(), 30));
        await Retry.UntilSuccessAsync(async () =>
        {
            await fixture.DeactivateAsync(from);
            return true;
        });

        // A read activates the sender, whose activation restarts delivery.
        var settled = await Retry.UntilAsync(from.GetState, v => v.InFlight == 0);

        Assert.Equal(70, settled.Balance);
        Assert.Equal(30, await to.GetBalance());
        Assert.Equal(new TransferResult("t1", TransferStatus.Completed, 70),
            await from.Transfer("t1", to.Id(), 30));
        await AssertSettledAsync(from, 70, to, 30);
    }

    private async Task<(IAccountGrain From, IAccountGrain To)> OpenPairAsync()
    {
        var from = await fixture.OpenAsync("from", 100);
        var to = await fixture.OpenAsync("to");
        // The sender learns that the receiver is open before any fault is armed.
        await from.Transfer("warm-up", to.Id(), 1);
        await to.Transfer("warm-up-back", from.Id(), 1);
        return (from, to);
    }

    private static async Task AssertSettledAsync(
        IAccountGrain from, long fromBalance, IAccountGrain to, long toBalance)
    {
        var fromView = await Retry.UntilAsync(from.GetState, v => v.InFlight == 0);
        var toView = await Retry.UntilAsync(to.GetState, v => v.InFlight == 0);
        Assert.Equal((fromBalance, toBalance), (fromView.Balance, toView.Balance));
        Assert.Equal(100, fromView.Balance + toView.Balance);
    }
}
