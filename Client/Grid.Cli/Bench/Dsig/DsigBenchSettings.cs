namespace Grid.Cli.Bench.Dsig;

/// <summary>What <c>grid bench dsig</c> runs: ops per row (split over rounds) and the message sizes.</summary>
internal sealed record DsigBenchSettings(BenchPlan Plan, IReadOnlyList<int> MessageSizes)
{
    /// <summary>The sizes: 8 B (the paper's Table 1) and 1 KiB.</summary>
    public static readonly IReadOnlyList<int> DefaultMessageSizes = [8, 1024];

    /// <summary>Distinct messages (and, for verify rows, signatures) cycled through per size.</summary>
    public const int Samples = 512;
}
