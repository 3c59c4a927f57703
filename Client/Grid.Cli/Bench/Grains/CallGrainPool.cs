namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The <c>call</c> op of one provider: an Orleans client call through the silo's gateway to a
/// <see cref="BenchStateGrain"/> whose key names the provider, which writes its state. Loops
/// own their grains (<see cref="LoopGrains"/>).
/// </summary>
internal sealed class CallGrainPool
{
    private const int PrepareParallelism = 4;

    private readonly IBenchStateGrain[] _grains;
    private readonly byte[] _value;

    public CallGrainPool(IGrainFactory grains, string provider, int count, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(value);
        _grains = new IBenchStateGrain[count];
        for (var grain = 0; grain < count; grain++)
        {
            _grains[grain] = grains.GetGrain<IBenchStateGrain>(BenchStateGrain.Key(provider, grain));
        }

        _value = value;
    }

    /// <summary>Calls every grain once: activations (each reads its state) are not measured.</summary>
    public Task PrepareAsync(CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            _grains,
            new ParallelOptions { MaxDegreeOfParallelism = PrepareParallelism, CancellationToken = cancellationToken },
            async (grain, _) => await grain.WriteAsync(_value).ConfigureAwait(false));

    /// <summary>The call op of loop <paramref name="loop"/> of <paramref name="loops"/>.</summary>
    public Func<ValueTask> CallOp(int loop, int loops)
    {
        var next = LoopGrains.Cycle(loop, loops, _grains.Length);
        return () => new ValueTask(_grains[next()].WriteAsync(_value));
    }
}
