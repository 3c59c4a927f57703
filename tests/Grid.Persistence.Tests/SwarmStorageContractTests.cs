using Orleans.Storage;

namespace Grid.Persistence.Tests;

/// <summary>
/// The cases of Orleans' storage test kit (GrainStorageTestRunner: missing records, ETag changes
/// on write and clear, stale and null ETags), rewritten for the SWARM provider and run against a
/// silo's registered instance.
/// </summary>
[Collection(SwarmClusterCollection.Name)]
public sealed class SwarmStorageContractTests(SwarmClusterFixture fixture)
{
    private const string StateName = "state";

    private IGrainStorage Storage => fixture.Swarm.Storage(0);

    private static GrainId NewGrain() => GrainId.Create("contract", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Reading_a_missing_record_gives_a_default_state_and_no_etag()
    {
        var state = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, NewGrain(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal("", state.State!.Text);
    }

    [Fact]
    public async Task A_write_sets_a_new_etag_and_reads_back()
    {
        var grain = NewGrain();
        var written = new GrainState<TestState>(new TestState { Text = "hello", Number = 42, Blob = [1, 2, 3] });
        await Storage.WriteStateAsync(StateName, grain, written);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);

        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("hello", read.State!.Text);
        Assert.Equal(42, read.State!.Number);
        Assert.Equal([1, 2, 3], read.State!.Blob);
    }

    [Fact]
    public async Task Every_write_changes_the_etag_even_with_the_same_state()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState { Text = "same" });
        var etags = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            await Storage.WriteStateAsync(StateName, grain, state);
            Assert.True(etags.Add(state.ETag!), $"write {i} reused ETag {state.ETag}");
        }
    }

    [Fact]
    public async Task A_stale_etag_is_rejected_and_leaves_the_data_unchanged()
    {
        var grain = NewGrain();
        var first = new GrainState<TestState>(new TestState { Text = "v1" });
        await Storage.WriteStateAsync(StateName, grain, first);
        var staleEtag = first.ETag;
        first.State!.Text = "v2";
        await Storage.WriteStateAsync(StateName, grain, first);

        var stale = new GrainState<TestState>(new TestState { Text = "stale" }) { ETag = staleEtag, RecordExists = true };
        var ex = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, stale));
        Assert.Equal(first.ETag, ex.StoredEtag);
        Assert.Equal(staleEtag, ex.CurrentEtag);

        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("v2", read.State!.Text);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task A_null_etag_on_an_existing_record_is_rejected()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync(StateName, grain, new GrainState<TestState>(new TestState { Text = "exists" }));

        var blind = new GrainState<TestState>(new TestState { Text = "blind" });
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, blind));

        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("exists", read.State!.Text);
    }

    [Fact]
    public async Task Clear_resets_the_state_and_a_write_with_the_cleared_etag_succeeds()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState { Text = "to clear", Number = 7 });
        await Storage.WriteStateAsync(StateName, grain, state);
        var beforeClear = state.ETag;

        await Storage.ClearStateAsync(StateName, grain, state);
        Assert.False(state.RecordExists);
        Assert.NotEqual(beforeClear, state.ETag);
        Assert.Equal(0, state.State!.Number);

        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);

        state.State!.Text = "again";
        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.True(state.RecordExists);
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("again", read.State!.Text);
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_is_rejected()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState { Text = "v1" });
        await Storage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<TestState>(new TestState()) { ETag = state.ETag, RecordExists = true };
        await Storage.WriteStateAsync(StateName, grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grain, stale));
        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task States_are_keyed_by_grain_and_state_name()
    {
        var grain = NewGrain();
        var other = NewGrain();
        await Storage.WriteStateAsync("a", grain, new GrainState<TestState>(new TestState { Text = "grain a" }));
        await Storage.WriteStateAsync("b", grain, new GrainState<TestState>(new TestState { Text = "grain b" }));
        await Storage.WriteStateAsync("a", other, new GrainState<TestState>(new TestState { Text = "other a" }));

        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync("a", grain, read);
        Assert.Equal("grain a", read.State!.Text);
        await Storage.ReadStateAsync("b", grain, read);
        Assert.Equal("grain b", read.State!.Text);
        await Storage.ReadStateAsync("a", other, read);
        Assert.Equal("other a", read.State!.Text);
    }

    [Fact]
    public async Task Another_silo_reads_what_this_silo_wrote()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState>(new TestState { Text = "from silo 0" });
        await fixture.Swarm.Storage(0).WriteStateAsync(StateName, grain, state);

        var read = new GrainState<TestState>();
        await fixture.Swarm.Storage(1).ReadStateAsync(StateName, grain, read);
        Assert.Equal("from silo 0", read.State!.Text);
        Assert.Equal(state.ETag, read.ETag);

        // The other silo continues from what it read: its ETag check passes without a roundtrip.
        read.State!.Text = "from silo 1";
        await fixture.Swarm.Storage(1).WriteStateAsync(StateName, grain, read);
        await fixture.Swarm.Storage(0).ReadStateAsync(StateName, grain, state);
        Assert.Equal("from silo 1", state.State!.Text);
    }

    [Fact]
    public async Task Large_states_up_to_the_layout_limit_round_trip()
    {
        var grain = NewGrain();
        var blob = new byte[900 * 1024];
        new Random(7).NextBytes(blob);
        var state = new GrainState<TestState>(new TestState { Blob = blob });
        await Storage.WriteStateAsync(StateName, grain, state);

        var read = new GrainState<TestState>();
        await Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(blob, read.State!.Blob);
    }

    [Fact]
    public async Task A_state_over_the_layout_limit_is_refused_with_a_clear_error()
    {
        var state = new GrainState<TestState>(new TestState { Blob = new byte[2 << 20] });
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.WriteStateAsync(StateName, NewGrain(), state));
        Assert.Contains("MaxValueBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grain_key_too_long_for_the_layout_is_refused_with_a_clear_error()
    {
        var grain = GrainId.Create("contract", new string('k', 2000));
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => Storage.WriteStateAsync(StateName, grain, new GrainState<TestState>(new TestState())));
        Assert.Contains("KeyBytesMax", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_grains_written_concurrently_all_read_back()
    {
        var grains = Enumerable.Range(0, 200).Select(_ => NewGrain()).ToArray();
        await Parallel.ForEachAsync(grains.Select((g, i) => (g, i)), async (item, _) =>
        {
            var state = new GrainState<TestState>(new TestState { Number = item.i });
            await Storage.WriteStateAsync(StateName, item.g, state);
            state.State!.Number += 1000;
            await Storage.WriteStateAsync(StateName, item.g, state);
        });

        for (var i = 0; i < grains.Length; i++)
        {
            var read = new GrainState<TestState>();
            await fixture.Swarm.Storage(1).ReadStateAsync(StateName, grains[i], read);
            Assert.Equal(i + 1000, read.State!.Number);
        }
    }
}
