using Grid.Cli.Bench;

namespace Grid.Cli.Tests.Bench;

public sealed class LostWriteCheckTests
{
    private const long Key = 5;

    [Fact]
    public void The_latest_acknowledged_value_is_legal_and_an_overwritten_one_is_lost()
    {
        var (history, values) = Writes(client: 1, (0, 10), (20, 30));
        var check = new LostWriteCheck([history]);

        Assert.True(check.IsLegal(Key, values[1]));
        Assert.False(check.IsLegal(Key, values[0]), "write 0 ended before write 1 started");
    }

    [Fact]
    public void A_write_overlapping_the_latest_acknowledged_one_may_win()
    {
        var (first, firstValues) = Writes(client: 1, (0, 25));
        var (second, secondValues) = Writes(client: 2, (20, 30));
        var check = new LostWriteCheck([first, second]);

        // Both were acknowledged and overlapped: either order is a linearization.
        Assert.True(check.IsLegal(Key, firstValues[0]));
        Assert.True(check.IsLegal(Key, secondValues[0]));
    }

    [Fact]
    public void An_unacknowledged_write_may_have_taken_effect_whenever_it_started()
    {
        var (failed, failedValues) = Writes(client: 1, (0, null));
        var (acknowledged, acknowledgedValues) = Writes(client: 2, (10, 20), (30, 40));
        var check = new LostWriteCheck([failed, acknowledged]);

        Assert.True(check.IsLegal(Key, failedValues[0]));
        Assert.True(check.IsLegal(Key, acknowledgedValues[1]));
        Assert.False(check.IsLegal(Key, acknowledgedValues[0]));
    }

    [Fact]
    public void Absent_foreign_or_altered_values_are_lost()
    {
        var (history, values) = Writes(client: 1, (0, 10));
        var check = new LostWriteCheck([history]);

        Assert.False(check.IsLegal(Key, null));
        var altered = (byte[])values[0].Clone();
        altered[^1] ^= 1; // same tag, other bytes: a torn or mixed value
        Assert.False(check.IsLegal(Key, altered));
        Assert.False(check.IsLegal(Key, new byte[16]));
        Assert.True(check.IsLegal(Key + 1, null), "a key never written must be absent");
        Assert.False(check.IsLegal(Key + 1, values[0]));
    }

    [Fact]
    public void Absence_is_legal_while_no_write_was_acknowledged()
    {
        var (history, _) = Writes(client: 1, (0, null));
        Assert.True(new LostWriteCheck([history]).IsLegal(Key, null));
    }

    /// <summary>Writes of <see cref="Key"/> as (start, end) in ticks; a null end never completed.</summary>
    private static (WriteHistory History, List<byte[]> Values) Writes(int client, params (long Start, long? End)[] writes)
    {
        var history = new WriteHistory(client);
        var values = new List<byte[]>();
        var random = new Random(client);
        foreach (var (start, end) in writes)
        {
            var value = new byte[16];
            random.NextBytes(value);
            history.Stamp(value);
            var index = history.Begin(Key, value, start);
            if (end is { } ended)
            {
                history.Acknowledge(index, ended);
            }

            values.Add(value);
        }

        return (history, values);
    }
}
