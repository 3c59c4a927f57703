namespace Grid.Cli.Bench.Dsig;

/// <summary>
/// One row of <c>grid bench dsig</c>: a system, an op and a message size; the op runs
/// <paramref name="Run"/> on sample i (messages cycle through <see cref="DsigBenchSettings.Samples"/>).
/// </summary>
internal sealed record DsigBenchRow(
    ISignatureScheme Scheme, string Op, int MessageBytes, Func<int, bool> Run)
{
    public LatencyRecorder Recorder { get; } = new();

    public long WallTicks { get; set; }

    public bool Signs => Op == "sign";
}
