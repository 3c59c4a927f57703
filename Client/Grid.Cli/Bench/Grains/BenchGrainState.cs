namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The state every provider stores in <c>grid bench grains</c>: one value of
/// <c>--value-size</c> bytes, so that the providers are compared on the same record.
/// </summary>
[GenerateSerializer]
[Alias("grid.bench.grains.state")]
public sealed class BenchGrainState
{
    [Id(0)]
    public byte[] Value { get; set; } = [];
}
