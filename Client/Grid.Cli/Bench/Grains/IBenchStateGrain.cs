namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The grain of the <c>call</c> op. Its key names the storage provider it persists to
/// (<c>"swarm/17"</c>), so one grain class serves every provider of the bench.
/// </summary>
[Alias("grid.bench.grains.IBenchStateGrain")]
public interface IBenchStateGrain : IGrainWithStringKey
{
    /// <summary>Sets the state to <paramref name="value"/> and writes it to storage.</summary>
    [Alias("write")]
    Task WriteAsync(byte[] value);
}
