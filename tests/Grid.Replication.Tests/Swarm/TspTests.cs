using Grid.Replication.Swarm;

namespace Grid.Replication.Tests.Swarm;

public sealed class TspTests
{
    [Fact]
    public void Fields_round_trip_and_order_by_timestamp_first()
    {
        var word = Tsp.Make(123_456, 77, 5, verified: false);

        Assert.Equal(123_456UL, Tsp.Timestamp(word));
        Assert.Equal(77U, Tsp.BufferId(word));
        Assert.Equal(5, Tsp.Writer(word));
        Assert.False(Tsp.IsVerified(word));
        Assert.True(Tsp.Verified(word) > word);
        Assert.Equal(word, Tsp.Identity(Tsp.Verified(word)));
        // A later timestamp wins whatever the buffer and writer bits say.
        Assert.True(Tsp.Make(123_457, 0, 1, false) > Tsp.Make(123_456, Tsp.BufferMax, Tsp.WriterMax, true));
    }

    [Fact]
    public void Timestamp_zero_is_a_timestamp_like_any_other_on_the_ring() =>
        Assert.NotEqual(0UL, Tsp.Make(0, 0, 1, false));

    [Theory]
    [InlineData(Tsp.TimestampMax + 1, 0U, 1)]
    [InlineData(1UL, Tsp.BufferMax + 1, 1)]
    [InlineData(1UL, 0U, 0)]
    [InlineData(1UL, 0U, Tsp.WriterMax + 1)]
    public void Out_of_range_fields_are_refused(ulong timestamp, uint buffer, int writer) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Tsp.Make(timestamp, buffer, writer, false));
}
