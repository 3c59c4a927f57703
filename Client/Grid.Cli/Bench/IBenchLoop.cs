namespace Grid.Cli.Bench;

/// <summary>
/// One loop of a <see cref="BenchRow"/>. The runner asks which op comes next before it starts
/// the clock, so choosing the op, its key and its value is not measured, then times
/// <see cref="RunAsync"/>. A mixed row (a YCSB client: gets and updates) has several ops.
/// </summary>
internal interface IBenchLoop
{
    /// <summary>Chooses and prepares the next op; returns its index in <see cref="BenchRow.Ops"/>.</summary>
    int NextOp();

    /// <summary>Runs the prepared op.</summary>
    ValueTask RunAsync();

    /// <summary>
    /// The roundtrips on the critical path of the op that just completed, or 0 when the loop
    /// does not count them. A property rather than a result so a single-op loop can hand back
    /// its op's own ValueTask, with no allocation per op.
    /// </summary>
    int LastRoundtrips { get; }
}
