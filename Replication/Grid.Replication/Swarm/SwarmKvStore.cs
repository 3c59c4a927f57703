using System.IO.Hashing;
using Grid.RdmaTransport;
using Grid.Replication.Kv;

namespace Grid.Replication.Swarm;

/// <summary>
/// SWARM-KV (spec §4): get, put, insert and delete by key over Safe-Guess registers on 2f+1
/// memory nodes. The index is the per-writer bucket entries of <see cref="SwarmLayout"/>,
/// replicated like the values, so any f memory-node crashes lose no key; the client caches its
/// own entries and last words (the spec's location and timestamp cache), so a get or a put of a
/// known key is one roundtrip. In <see cref="SwarmKvMode.DmAbd"/> mode the same store runs the
/// 2-roundtrip ABD baseline.
/// </summary>
public sealed class SwarmKvStore : IKeyValueStore
{
    private readonly SafeGuessClient _client;
    private readonly SwarmKvOptions _options;

    private SwarmKvStore(SafeGuessClient client, SwarmKvOptions options)
    {
        _client = client;
        _options = options;
    }

    public string System => _client.Mode == SwarmKvMode.DmAbd ? "dm-abd" : "swarm";

    public SwarmClientCounters Counters => _client.Counters;

    public int WriterId => _client.WriterId;

    /// <summary>
    /// The memory nodes (by index) this store's recovery did not read, so it never posts to them;
    /// a new store under the same lease reads them once they are back (SWARM README, "Reconnects").
    /// </summary>
    public IReadOnlyList<int> MissedNodes => _client.MissedNodes;

    /// <summary>
    /// The repair pass of a rebuild: with the nodes in <paramref name="excluded"/> counted by no
    /// one, makes every other node agree on each key's newest value and on the cluster's words,
    /// so that an empty memory can replace an excluded node (SWARM README, "Rebuilding a node that
    /// came back empty"). Returns the keys the survivors disagreed on, each read again with all of them.
    /// </summary>
    public Task<int> RepairAsync(IReadOnlyCollection<int> excluded, IProgress<(int Done, int Total)>? progress = null) =>
        _client.RepairAsync(excluded, progress);

    /// <summary>Why this store stopped for good (its writer id is another client's now); null while it runs.</summary>
    public string? FencedReason => _client.FencedReason;

    /// <summary>
    /// How long ago the last timestamp refresh over every memory node that finished began, by
    /// the cluster's mark (<see cref="SweepAsync"/> runs them, and any writer's counts). Writes fail with <see cref="SwarmCapacityException"/>
    /// once it passes <see cref="SwarmOptions.TimestampRefreshDeadline"/>, which only a memory
    /// node unreachable for hours causes (README of the Swarm folder, "Timestamps that never run out").
    /// </summary>
    public TimeSpan SinceTimestampRefresh => _client.SinceRefreshMark;

    internal DateTimeOffset TimestampEpoch => _client.TimestampEpoch;

    /// <summary>See <see cref="SwarmOptions.TimestampRefreshDeadline"/>.</summary>
    public TimeSpan TimestampRefreshDeadline => _client.Layout.Options.TimestampRefreshDeadline;

    /// <summary>The size of region 0 every memory node needs for these options.</summary>
    public static long RegionBytesFor(SwarmKvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SwarmLayout(options.ToSwarmOptions()).RegionBytes;
    }

    /// <summary>
    /// Connects writer <paramref name="writerId"/> (1..MaxWriters, unique among the clients of
    /// the cluster) and rebuilds its state from the memory nodes. Without a clock, guesses use
    /// the clock batch deadlines are judged by, from the cluster's epoch (the first client
    /// stores it on the nodes).
    /// </summary>
    public static async Task<SwarmKvStore> StartAsync(
        int writerId,
        IReadOnlyList<QueuePair> memoryNodes,
        SwarmKvOptions options,
        SwarmKvMode mode = SwarmKvMode.Swarm,
        ISwarmClock? clock = null,
        TimeProvider? time = null,
        WriterLease? lease = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(memoryNodes);
        var layout = new SwarmLayout(options.ToSwarmOptions());
        time ??= TimeProvider.System;
        var client = await SafeGuessClient.StartAsync(writerId, memoryNodes, layout, clock, time, mode, lease, cancellationToken)
            .ConfigureAwait(false);
        return new SwarmKvStore(client, options);
    }

    public async Task<KvReadResult> GetAsync(ReadOnlyMemory<byte> key)
    {
        CheckKey(key);
        var read = await _client.ReadAsync(Hash(key.Span)).ConfigureAwait(false);
        var value = read.Value is null ? null : SwarmKvRecord.Decode(read.Value, key.Span);
        return new KvReadResult(value, read.Roundtrips, read.Observed);
    }

    public Task<KvWriteResult> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) =>
        WriteAsync(key, value, deleted: false);

    public Task<KvWriteResult> InsertAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) =>
        WriteAsync(key, value, deleted: false);

    public Task<KvWriteResult> DeleteAsync(ReadOnlyMemory<byte> key) =>
        WriteAsync(key, ReadOnlyMemory<byte>.Empty, deleted: true);

    /// <summary>
    /// Frees what deletions older than the grace period hold (their entries in the index and
    /// their buffers), and when one is due runs the timestamp refresh
    /// (<see cref="SafeGuessClient.RefreshStaleAsync"/>). Run it now and then, at least every
    /// <see cref="SwarmOptions.TimestampRefreshPeriod"/>. Returns the entries freed.
    /// </summary>
    public async Task<int> SweepAsync()
    {
        var released = await _client.ReleaseDeletedAsync().ConfigureAwait(false);
        await _client.RefreshStaleAsync(SwarmKvRecord.IsDeletion).ConfigureAwait(false);
        return released;
    }

    /// <summary>
    /// Stops this store for good (<see cref="SafeGuessClient.Retire"/>); a new store under the same
    /// writer id may start once <see cref="SwarmOptions.MaxInFlight"/> has passed.
    /// </summary>
    public void Retire(string reason) => _client.Retire(reason);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<KvWriteResult> WriteAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, bool deleted)
    {
        CheckKey(key);
        if (value.Length > _options.MaxValueBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length,
                $"values are at most {_options.MaxValueBytes} bytes (SwarmKvOptions.MaxValueBytes)");
        }

        var record = SwarmKvRecord.Encode(key.Span, value.Span, deleted);
        var write = await _client.WriteAsync(Hash(key.Span), record, deleted).ConfigureAwait(false);
        return new KvWriteResult(write.Roundtrips, write.Word, write.ObservedOthers);
    }

    private void CheckKey(ReadOnlyMemory<byte> key)
    {
        if (key.Length == 0 || key.Length > _options.KeyBytesMax)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key.Length,
                $"keys are 1..{_options.KeyBytesMax} bytes (SwarmKvOptions.KeyBytesMax)");
        }
    }

    private static ulong Hash(ReadOnlySpan<byte> key)
    {
        var hash = XxHash3.HashToUInt64(key);
        return hash == 0 ? 1 : hash;
    }
}
