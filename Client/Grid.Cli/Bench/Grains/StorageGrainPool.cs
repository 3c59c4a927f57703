using System.Globalization;
using Orleans.Storage;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The <c>storage-write</c> and <c>storage-read</c> ops of one provider: its
/// <see cref="IGrainStorage"/> called directly, as a grain's persistent state would call it,
/// over a pool of grain ids. Each grain has its own <see cref="GrainState{T}"/>, so its ETag is
/// always the one the provider last returned for it; loops own their grains
/// (<see cref="LoopGrains"/>).
/// </summary>
internal sealed class StorageGrainPool
{
    /// <summary>A grain type of its own: these ids never clash with the call grains' records.</summary>
    public const string GrainTypeName = "grid-bench-storage";

    private const int PrepareParallelism = 4;

    private readonly IGrainStorage _storage;
    private readonly byte[] _value;
    private readonly GrainId[] _ids;
    private readonly GrainState<BenchGrainState>[] _states;

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
            _ids[grain] = GrainId.Create(GrainTypeName, grain.ToString(CultureInfo.InvariantCulture));
            _states[grain] = new GrainState<BenchGrainState>(new BenchGrainState { Value = value });
        }
    }

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
                await ReadAsync(grain).ConfigureAwait(false);
                await WriteAsync(grain).ConfigureAwait(false);
            });

    /// <summary>The write op of loop <paramref name="loop"/> of <paramref name="loops"/>.</summary>
    public Func<ValueTask> WriteOp(int loop, int loops)
    {
        var next = LoopGrains.Cycle(loop, loops, _ids.Length);
        return () => new ValueTask(WriteOrResyncAsync(next()));
    }

    /// <summary>The read op of loop <paramref name="loop"/> of <paramref name="loops"/>.</summary>
    public Func<ValueTask> ReadOp(int loop, int loops)
    {
        var next = LoopGrains.Cycle(loop, loops, _ids.Length);
        return () => new ValueTask(ReadAsync(next()));
    }

    private Task ReadAsync(int grain) =>
        _storage.ReadStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]);

    /// <summary>Writes the bench value (a read may have replaced the state object).</summary>
    private Task WriteAsync(int grain)
    {
        _states[grain].State = new BenchGrainState { Value = _value };
        return _storage.WriteStateAsync(BenchStateGrain.StateName, _ids[grain], _states[grain]);
    }

    private async Task WriteOrResyncAsync(int grain)
    {
        try
        {
            await WriteAsync(grain).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            // Counted as an error; re-read so that the grain's next write carries the stored
            // ETag instead of failing for good.
            await ReadAsync(grain).ConfigureAwait(false);
            throw;
        }
    }
}
