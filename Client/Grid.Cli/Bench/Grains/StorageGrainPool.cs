using Orleans.Storage;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The <c>storage-write</c> and <c>storage-read</c> ops of one provider: its
/// <see cref="IGrainStorage"/> called directly, as a grain's persistent state would call it,
/// over a pool of grain ids. Each grain has its own <see cref="GrainState{T}"/>, so its ETag is
/// always the one the provider last returned for it, and each loop of a row owns its own grains
/// (loop <c>l</c> of <c>c</c> takes grains <c>l, l+c, l+2c, …</c>), so no two ops in flight
/// touch one grain.
/// </summary>
internal sealed class StorageGrainPool
{
    /// <summary>A grain type of its own: these ids never clash with the call grains' records.</summary>
    public const string GrainTypeName = "grid-bench-storage";

    private const int PrepareParallelism = 4;

    private readonly IGrainStorage _storage;
    private readonly GrainId[] _ids;
    private readonly GrainState<BenchGrainState>[] _states;
    private readonly byte[] _value;

    public StorageGrainPool(IGrainStorage storage, int grains, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfLessThan(grains, 1);
        ArgumentNullException.ThrowIfNull(value);
        _storage = storage;
        _value = value;
        _ids = new GrainId[grains];
        _states = new GrainState<BenchGrainState>[grains];
        for (var grain = 0; grain < grains; grain++)
        {
            _ids[grain] = GrainId.Create(GrainTypeName, grain.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _states[grain] = new GrainState<BenchGrainState>(new BenchGrainState { Value = value });
        }
    }

    public int Count => _ids.Length;

    /// <summary>
    /// Reads every grain (learning the ETag of a record an earlier run left on external memory
    /// nodes), then writes it: every read of the run finds a record, and every write replaces one.
    /// </summary>
    public Task PrepareAsync(CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, _ids.Length),
            new ParallelOptions { MaxDegreeOfParallelism = PrepareParallelism, CancellationToken = cancellationToken },
            async (grain, _) =>
            {
                await _storage.ReadStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]).ConfigureAwait(false);
                _states[grain].State = new BenchGrainState { Value = _value };
                await _storage.WriteStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]).ConfigureAwait(false);
            });

    /// <summary>The write op of loop <paramref name="loop"/> of <paramref name="loops"/>.</summary>
    public Func<ValueTask> WriteOp(int loop, int loops)
    {
        var next = Grains(loop, loops);
        return () => new ValueTask(WriteAsync(next()));
    }

    /// <summary>The read op of loop <paramref name="loop"/> of <paramref name="loops"/>.</summary>
    public Func<ValueTask> ReadOp(int loop, int loops)
    {
        var next = Grains(loop, loops);
        return () =>
        {
            var grain = next();
            return new ValueTask(_storage.ReadStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]));
        };
    }

    /// <summary>Loop <paramref name="loop"/>'s grains in turn, round and round.</summary>
    private Func<int> Grains(int loop, int loops)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(loop);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(loop, Math.Min(loops, _ids.Length));
        var next = loop;
        return () =>
        {
            var grain = next;
            next += loops;
            if (next >= _ids.Length)
            {
                next = loop;
            }

            return grain;
        };
    }

    private async Task WriteAsync(int grain)
    {
        try
        {
            await _storage.WriteStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            // Counted as an error; re-read so that the grain's next write carries the stored
            // ETag instead of failing for good.
            await _storage.ReadStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]).ConfigureAwait(false);
            _states[grain].State = new BenchGrainState { Value = _value };
            throw;
        }
    }
}
