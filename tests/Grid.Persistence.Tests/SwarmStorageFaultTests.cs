using Grid.Persistence.Swarm;
using Orleans.Runtime;
using Orleans.Storage;

namespace Grid.Persistence.Tests;

/// <summary>
/// What the provider guarantees beyond the contract: concurrent activations in two silos are
/// reported, a minority of crashed memory nodes changes nothing, a majority fails clearly, and a
/// provider that remembers no ETags still checks them (with a read first).
/// </summary>
public sealed class SwarmStorageFaultTests
{
    private const string StateName = "state";

    private static GrainId NewGrain() => GrainId.Create("faults", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_second_activation_writing_the_same_grain_is_reported_to_the_stale_one()
    {
        await using var swarm = await SwarmCluster.StartAsync();
        var grain = NewGrain();
        var silo0 = swarm.Storage(0);
        var silo1 = swarm.Storage(1);

        // Both silos activate the grain and read the same state.
        var a = new GrainState<TestState>();
        var b = new GrainState<TestState>();
        await silo0.ReadStateAsync(StateName, grain, a);
        await silo1.ReadStateAsync(StateName, grain, b);

        a.State!.Text = "from silo 0";
        await silo0.WriteStateAsync(StateName, grain, a);

        // Silo 1's activation has not seen silo 0's write: its write lands, and it is told.
        b.State!.Text = "from silo 1";
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => silo1.WriteStateAsync(StateName, grain, b));
        Assert.Contains("another activation", ex.Message, StringComparison.Ordinal);

        // Silo 0 now has not seen silo 1's write either; its next write is reported too.
        a.State.Text = "silo 0 again";
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo0.WriteStateAsync(StateName, grain, a));

        // A fresh activation reads one of the two writes whole, and continues without conflict.
        var fresh = new GrainState<TestState>();
        await silo1.ReadStateAsync(StateName, grain, fresh);
        Assert.Contains(fresh.State!.Text, new[] { "from silo 1", "silo 0 again" });
        fresh.State.Text = "settled";
        await silo1.WriteStateAsync(StateName, grain, fresh);
        await silo0.ReadStateAsync(StateName, grain, a);
        Assert.Equal("settled", a.State!.Text);
    }

    [Fact]
    public async Task Alternating_activations_that_each_read_first_see_no_conflict()
    {
        await using var swarm = await SwarmCluster.StartAsync();
        var grain = NewGrain();
        for (var i = 0; i < 6; i++)
        {
            // A grain moving between silos: every activation reads before it writes.
            var storage = swarm.Storage(i % 2);
            var state = new GrainState<TestState>();
            await storage.ReadStateAsync(StateName, grain, state);
            Assert.Equal(i, state.State!.Number);
            state.State.Number = i + 1;
            await storage.WriteStateAsync(StateName, grain, state);
        }
    }

    [Fact]
    public async Task One_crashed_memory_node_of_three_changes_nothing()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1);
        var storage = swarm.Storage(0);
        var grains = Enumerable.Range(0, 20).Select(_ => NewGrain()).ToArray();
        var states = new GrainState<TestState>[grains.Length];
        for (var i = 0; i < grains.Length; i++)
        {
            states[i] = new GrainState<TestState>(new TestState { Number = i });
            await storage.WriteStateAsync(StateName, grains[i], states[i]);
        }

        swarm.MemoryNodes.Crash(1);

        for (var i = 0; i < grains.Length; i++)
        {
            var read = new GrainState<TestState>();
            await storage.ReadStateAsync(StateName, grains[i], read);
            Assert.Equal(i, read.State!.Number);
            read.State.Number += 100;
            await storage.WriteStateAsync(StateName, grains[i], read);
            await storage.ReadStateAsync(StateName, grains[i], read);
            Assert.Equal(i + 100, read.State!.Number);
        }

        Assert.Contains(storage.MemoryNodeHealth, h => !h.Reachable);
    }

    [Fact]
    public async Task A_crashed_majority_fails_operations_with_a_storage_error()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1);
        var storage = swarm.Storage(0);
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState { Text = "before" });
        await storage.WriteStateAsync(StateName, grain, state);

        swarm.MemoryNodes.Crash(0);
        swarm.MemoryNodes.Crash(2);

        var ex = await Assert.ThrowsAsync<SwarmStorageException>(() => storage.ReadStateAsync(StateName, grain, new GrainState<TestState>()));
        Assert.Contains("majority", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SwarmStorageException>(() => storage.WriteStateAsync(StateName, grain, state));
    }

    [Fact]
    public async Task Without_remembered_etags_every_check_still_holds()
    {
        await using var swarm = await SwarmCluster.StartAsync(silos: 1, o => o.CachedGrainsMax = 0);
        var storage = swarm.Storage(0);
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState { Text = "v1" });
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = state.ETag;
        await storage.WriteStateAsync(StateName, grain, state);

        var old = new GrainState<TestState>(new TestState()) { ETag = stale, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, old));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grain, new GrainState<TestState>(new TestState())));
        await storage.ClearStateAsync(StateName, grain, state);
        await storage.WriteStateAsync(StateName, grain, state);
    }

    [Fact]
    public async Task Cleared_states_are_swept_after_the_grace_period()
    {
        // A short grace period needs short batch lifetimes and a small skew allowance (G >= 4 x (T + 2S)).
        await using var swarm = await SwarmCluster.StartAsync(silos: 1, o =>
        {
            o.Layout.BufferGracePeriod = TimeSpan.FromMilliseconds(100);
            o.Layout.BatchLifetime = TimeSpan.FromMilliseconds(15);
            o.Layout.ClockSkewAllowance = TimeSpan.FromMilliseconds(5);
        });
        var storage = swarm.Storage(0);
        var grains = Enumerable.Range(0, 10).Select(_ => NewGrain()).ToArray();
        foreach (var grain in grains)
        {
            var state = new GrainState<TestState>(new TestState { Text = "temporary" });
            await storage.WriteStateAsync(StateName, grain, state);
            await storage.ClearStateAsync(StateName, grain, state);
        }

        // The sweep runs every 200 ms (SwarmCluster); wait for it to free all ten entries.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (storage.ReleasedStates < grains.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(storage.ReleasedStates >= grains.Length, $"released {storage.ReleasedStates} of {grains.Length}");
        foreach (var grain in grains)
        {
            var read = new GrainState<TestState>();
            await storage.ReadStateAsync(StateName, grain, read);
            Assert.False(read.RecordExists);
        }
    }

    [Theory]
    [InlineData(-1, "WriterId")]
    [InlineData(17, "WriterId")]
    public void Invalid_writer_ids_are_rejected_at_start(int writerId, string expected)
    {
        var validator = new SwarmGrainStorageOptionsValidator(new SwarmGrainStorageOptions { WriterId = writerId }, "swarm");
        var ex = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_node_lists_are_checked_at_start()
    {
        static string Fail(SwarmGrainStorageOptions o) =>
            Assert.Throws<OrleansConfigurationException>(new SwarmGrainStorageOptionsValidator(o, "swarm").ValidateConfiguration).Message;

        Assert.Contains("odd number", Fail(new SwarmGrainStorageOptions { MemoryNodes = ["127.0.0.1:1", "127.0.0.1:2"], ClusterKey = new string('k', 32) }), StringComparison.Ordinal);
        Assert.Contains("not host:port", Fail(new SwarmGrainStorageOptions { MemoryNodes = ["nonsense"], ClusterKey = new string('k', 32) }), StringComparison.Ordinal);
        Assert.Contains("cluster key", Fail(new SwarmGrainStorageOptions { MemoryNodes = ["127.0.0.1:1"] }), StringComparison.Ordinal);
        Assert.Contains("at least", Fail(new SwarmGrainStorageOptions { MemoryNodes = ["127.0.0.1:1"], ClusterKey = "short" }), StringComparison.Ordinal);
        new SwarmGrainStorageOptionsValidator(
            new SwarmGrainStorageOptions { MemoryNodes = ["127.0.0.1:1", "localhost:2", "10.0.0.1:3"], ClusterKey = new string('k', 32) }, "swarm")
            .ValidateConfiguration();
    }
}
