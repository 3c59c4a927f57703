using Grid.Testing.Linearizability;
using static Grid.Simulation.Tests.Checker.HistoryOps;

namespace Grid.Simulation.Tests.Checker;

public class NonLinearizableHistoryTests
{
    [Fact]
    public void Read_of_a_value_never_written_is_rejected()
    {
        HistoryOperation[] history = [Write(1, "k", "v1", 1, 2), Read(2, "k", "v9", 3, 4)];

        AssertNotLinearizable(history, "k");
    }

    [Fact]
    public void Stale_read_after_a_completed_write_is_rejected()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Write(1, "k", "v2", 3, 4),
            Read(2, "k", "v1", 5, 6),
        ];

        AssertNotLinearizable(history, "k");
    }

    [Fact]
    public void New_old_inversion_is_rejected()
    {
        // Both reads start after w2 started; each alone is fine, but the first read already saw
        // v2 and returned before the second began, so the second cannot see v1 again.
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Write(1, "k", "v2", 3, 10),
            Read(2, "k", "v2", 4, 5),
            Read(3, "k", "v1", 6, 7),
        ];

        AssertNotLinearizable(history, "k");
    }

    [Fact]
    public void Read_of_a_deleted_value_after_the_delete_is_rejected()
    {
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Delete(2, "k", 3, 4),
            Read(1, "k", "v1", 5, 6),
        ];

        AssertNotLinearizable(history, "k");
    }

    [Fact]
    public void A_pending_write_cannot_take_effect_before_its_call()
    {
        HistoryOperation[] history = [Read(1, "k", "v1", 1, 2), Write(2, "k", "v1", 3, Pending)];

        AssertNotLinearizable(history, "k");
    }

    [Fact]
    public void A_pending_delete_cannot_be_undone()
    {
        // Once a read saw the delete, nothing rewrote v1, so v1 cannot come back.
        HistoryOperation[] history =
        [
            Write(1, "k", "v1", 1, 2),
            Delete(2, "k", 3, Pending),
            Read(1, "k", null, 4, 5),
            Read(3, "k", "v1", 6, 7),
        ];

        AssertNotLinearizable(history, "k");
    }

    [Fact]
    public void The_broken_key_is_named_when_the_others_are_linearizable()
    {
        // Interleaved in time: "a" and "c" are fine; "b" has a stale read. Taken as one register
        // the history would be wrong anyway, so this also shows keys are checked separately.
        HistoryOperation[] history =
        [
            Write(1, "a", "a1", 1, 2),
            Write(2, "b", "b1", 3, 4),
            Write(3, "c", "c1", 5, 6),
            Read(1, "a", "a1", 7, 8),
            Write(2, "b", "b2", 9, 10),
            Read(3, "c", "c1", 11, 12),
            Read(1, "b", "b1", 13, 14),
            Read(2, "a", "a1", 15, 16),
        ];

        var result = AssertNotLinearizable(history, "b");

        Assert.DoesNotContain("(a)", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Explanation_lists_the_key_in_call_order_and_the_longest_prefix()
    {
        HistoryOperation[] history =
        [
            Read(2, "k", "v1", 5, 6),
            Write(1, "k", "v2", 3, 4),
            Write(1, "k", "v1", 1, 2),
        ];

        var result = AssertNotLinearizable(history, "k");

        var lines = result.Explanation.Split('\n', StringSplitOptions.TrimEntries);
        var first = Array.IndexOf(lines, "c1 write(k)=v1 [1,2]");
        Assert.True(first >= 0, result.Explanation);
        Assert.Equal("c1 write(k)=v2 [3,4]", lines[first + 1]);
        Assert.Equal("c2 read(k)=v1 [5,6]", lines[first + 2]);
        Assert.Equal("Longest linearizable prefix found (2 of 3):", lines[first + 3]);
        Assert.Equal("c1 write(k)=v1 [1,2]", lines[first + 4]);
        Assert.Equal("c1 write(k)=v2 [3,4]", lines[first + 5]);
    }

    [Fact]
    public void Pending_operations_print_as_pending()
    {
        Assert.Equal("c4 delete(k) [7,pending]", Delete(4, "k", 7, Pending).ToString());
        Assert.Equal("c5 read(k)=absent [1,2]", Read(5, "k", null, 1, 2).ToString());
    }

    [Fact]
    public void A_zero_budget_times_out_instead_of_answering()
    {
        HistoryOperation[] history = [Write(1, "k", "v1", 1, 2), Read(2, "k", "v1", 3, 4)];

        var result = LinearizabilityChecker.Check(history, budget: TimeSpan.Zero);

        Assert.True(result.TimedOut, result.Explanation);
        Assert.False(result.IsLinearizable);
        Assert.Equal("k", result.FailingKey);
    }

    [Fact]
    public void Malformed_operations_are_rejected()
    {
        var nullWrite = new HistoryOperation(1, "k", OperationKind.Write, null, 1, 2);
        var backwards = Read(1, "k", null, 5, 4);

        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check([nullWrite]));
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check([backwards]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LinearizabilityChecker.Check([], budget: TimeSpan.FromSeconds(-1)));
    }

    private static LinearizabilityResult AssertNotLinearizable(
        IReadOnlyList<HistoryOperation> history,
        string failingKey)
    {
        var result = LinearizabilityChecker.Check(history);

        Assert.False(result.IsLinearizable, result.Explanation);
        Assert.False(result.TimedOut);
        Assert.Equal(failingKey, result.FailingKey);
        return result;
    }
}
