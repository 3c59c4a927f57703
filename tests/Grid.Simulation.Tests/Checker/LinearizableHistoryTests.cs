using Grid.Testing.Linearizability;
using static Grid.Simulation.Tests.Checker.HistoryOps;

namespace Grid.Simulation.Tests.Checker;

public class LinearizableHistoryTests
{
    [Fact]
    public void Sequential_writes_and_reads_are_linearizable()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Read(1, "k", "v1", 3, 4),
            Write(2, "k", "v2", 5, 6),
            Read(1, "k", "v2", 7, 8),
        ];

        AssertLinearizable(history);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void Read_overlapping_a_write_may_return_the_old_or_the_new_value(string seen)
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Write(1, "k", "v2", 3, 6),
            Read(2, "k", seen, 4, 5),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void Concurrent_writes_may_take_effect_in_either_order()
    {
        // The read after both writes pins the order w2 then w1, which the overlap allows.
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 4),
            Write(2, "k", "v2", 2, 3),
            Read(3, "k", "v1", 5, 6),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void Read_before_any_write_returns_absent()
    {
        HistoryOperation[] history =
        [
            Read(1, "k", null, 1, 2),
            Write(2, "k", "v1", 3, 4),
            Read(1, "k", "v1", 5, 6),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void Read_before_any_write_returns_the_initial_value()
    {
        HistoryOperation[] history = [Read(1, "k", "v0", 1, 2), Read(2, "other", "v0", 3, 4)];

        var result = LinearizabilityChecker.Check(history, initialValue: "v0");

        Assert.True(result.IsLinearizable, result.Explanation);
    }

    [Fact]
    public void Read_after_delete_returns_absent()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Delete(2, "k", 3, 4),
            Read(1, "k", null, 5, 6),
            Write(2, "k", "v2", 7, 8),
            Read(1, "k", "v2", 9, 10),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void A_pending_write_may_be_observed_by_later_reads()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, Pending),
            Read(2, "k", null, 2, 3),
            Read(2, "k", "v1", 5, 6),
            Read(3, "k", "v1", 7, 8),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void A_pending_write_need_not_take_effect()
    {
        // If v2 took effect anywhere before the last read, that read could not return v1; the
        // checker must be able to finish without linearizing the pending write at all.
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Write(2, "k", "v2", 3, Pending),
            Read(1, "k", "v1", 5, 6),
            Read(3, "k", "v1", 7, 8),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void A_pending_delete_may_take_effect_late()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Delete(2, "k", 3, Pending),
            Read(1, "k", "v1", 5, 6),
            Read(3, "k", null, 7, 8),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void A_read_that_never_returned_is_ignored()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Read(2, "k", "garbage", 3, Pending),
            Read(1, "k", "v1", 4, 5),
        ];

        AssertLinearizable(history);
    }

    [Fact]
    public void An_empty_history_is_linearizable()
    {
        AssertLinearizable([]);
    }

    private static void AssertLinearizable(IReadOnlyList<HistoryOperation> history)
    {
        var result = LinearizabilityChecker.Check(history);

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.False(result.TimedOut);
        Assert.Null(result.FailingKey);
    }
}
