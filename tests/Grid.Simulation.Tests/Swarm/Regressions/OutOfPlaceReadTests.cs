using Grid.Replication.Swarm;
using static Grid.Simulation.Tests.Swarm.Regressions.RegressionCluster;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Regression (5e1095f, "reading an out-of-place value uses the answers that arrived"): a value
/// longer than the read's first, speculative buffer READ made the read wait for every memory
/// node before it fetched the declared length, so one node that never answers stalled it.
/// </summary>
public sealed class OutOfPlaceReadTests
{
    private const uint Writer = 1;
    private const uint Reader = 2;
    private const ulong Key = 0x5;

    private static SwarmOptions Options => new()
    {
        MaxWriters = 2,
        BucketCount = 4,
        EntriesPerWriter = 2,
        InPlaceValueBytes = 32,
        MaxValueBytes = 1024,
        ArenaBytesPerWriter = 64 * 1024,
        BufferGracePeriod = TimeSpan.FromSeconds(10),
        BatchLifetime = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_large_value_is_read_from_a_majority_while_one_node_never_answers()
    {
        using var cluster = new RegressionCluster(Options);
        var writer = await cluster.StartAsync(1, Writer);
        var reader = await cluster.StartAsync(2, Reader);

        // 512 bytes: out of place, and longer than the read's first (speculative) buffer READ.
        var value = Value("a large value", 512);
        await writer.WriteAsync(Key, value);
        await writer.ReadAsync(Key); // the writer's background verify has run

        // Node 2 never answers the reader: requests are held, not failed, and time stands still.
        cluster.Hold(Reader, 2);
        var read = reader.ReadAsync(Key);

        Assert.True(read.IsCompleted, "the read waits for the node that never answers");
        var result = await read;
        Assert.Equal(value, result.Value);
        Assert.False(result.FromInPlace);

        cluster.Release(Reader, 2);
    }
}
