using System.Globalization;
using Grid.Grains.Kv;
using Grid.Grains.Tests.Cluster;

namespace Grid.Grains.Tests.Kv;

[Collection(ClusterCollection.Name)]
public sealed class KvGrainTests(ClusterFixture fixture)
{
    private IKvGrain NewKey() => fixture.Grains.GetGrain<IKvGrain>($"kv-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_key_never_written_is_absent_at_version_0()
    {
        var key = NewKey();

        var entry = await key.Get();

        Assert.False(entry.Exists);
        Assert.Null(entry.Value);
        Assert.Equal(0, await key.GetVersion());
        Assert.False(await key.Delete());
        Assert.Equal(0, await key.GetVersion());
    }

    [Fact]
    public async Task Puts_return_growing_versions_and_get_returns_the_last_value()
    {
        var key = NewKey();

        Assert.Equal(1, await key.Put([1, 2, 3]));
        Assert.Equal(2, await key.Put([4]));

        var entry = await key.Get();
        Assert.Equal([4], entry.Value);
        Assert.Equal(2, entry.Version);
        Assert.Equal(entry, await key.GetState(), KvEntryComparer.Instance);
    }

    [Fact]
    public async Task Value_and_version_survive_deactivation()
    {
        var key = NewKey();
        await key.Put([7, 7]);
        await key.Put([8, 8, 8]);

        await fixture.DeactivateAsync(key);

        var entry = await key.Get();
        Assert.Equal([8, 8, 8], entry.Value);
        Assert.Equal(2, entry.Version);
    }

    [Fact]
    public async Task A_delete_counts_as_a_version_and_a_later_put_continues_after_deactivation()
    {
        var key = NewKey();
        await key.Put([1]);
        await key.Put([2]);

        Assert.True(await key.Delete());
        Assert.Equal(3, await key.GetVersion());
        Assert.False(await key.Delete());
        Assert.Equal(3, await key.GetVersion());

        await fixture.DeactivateAsync(key);

        var deleted = await key.Get();
        Assert.False(deleted.Exists);
        Assert.Equal(3, deleted.Version);
        Assert.Equal(4, await key.Put([9]));
        Assert.Equal(new byte[] { 9 }, (await key.Get()).Value);
    }

    [Fact]
    public async Task An_empty_value_is_a_value()
    {
        var key = NewKey();

        await key.Put([]);

        var entry = await key.Get();
        Assert.True(entry.Exists);
        Assert.Empty(entry.Value!);
        Assert.True(await key.Delete());
    }

    [Fact]
    public async Task An_oversize_or_null_value_is_rejected_and_changes_nothing()
    {
        var key = NewKey();
        await key.Put([1]);

        var oversize = await Assert.ThrowsAsync<ArgumentException>(
            () => key.Put(new byte[KvLimits.MaxValueBytes + 1]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => key.Put(null!));

        var limit = KvLimits.MaxValueBytes.ToString(CultureInfo.InvariantCulture);
        Assert.Contains(limit, oversize.Message, StringComparison.Ordinal);
        Assert.Equal(1, await key.GetVersion());
        Assert.Equal(2, await key.Put(new byte[KvLimits.MaxValueBytes]));
        Assert.Equal(KvLimits.MaxValueBytes, (await key.Get()).Value!.Length);
    }

    [Fact]
    public async Task A_write_that_fails_before_storage_is_not_visible_after_the_reset()
    {
        var key = NewKey();
        await key.Put([1]);
        fixture.Faults.FailWrite(key.GetGrainId(), FaultTiming.BeforePersist);

        await Assert.ThrowsAnyAsync<Exception>(() => key.Put([2]));

        var entry = await Retry.UntilSuccessAsync(key.Get);
        Assert.Equal([1], entry.Value);
        Assert.Equal(1, entry.Version);
        Assert.Equal(2, await key.Put([3]));
    }

    [Fact]
    public async Task A_write_whose_acknowledgement_is_lost_is_visible_after_the_reset()
    {
        var key = NewKey();
        await key.Put([1]);
        fixture.Faults.FailWrite(key.GetGrainId(), FaultTiming.AfterPersist);

        await Assert.ThrowsAnyAsync<Exception>(() => key.Put([2]));

        var entry = await Retry.UntilSuccessAsync(key.Get);
        Assert.Equal([2], entry.Value);
        Assert.Equal(2, entry.Version);
    }

    private sealed class KvEntryComparer : IEqualityComparer<KvEntry>
    {
        public static readonly KvEntryComparer Instance = new();

        public bool Equals(KvEntry? x, KvEntry? y) =>
            x is not null && y is not null && x.Version == y.Version
            && (x.Value ?? []).AsSpan().SequenceEqual(y.Value ?? []) && x.Exists == y.Exists;

        public int GetHashCode(KvEntry obj) => obj.Version.GetHashCode();
    }
}
