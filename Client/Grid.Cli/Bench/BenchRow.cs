namespace Grid.Cli.Bench;

/// <summary>
/// A row to measure: <see cref="Outstanding"/> concurrent loops, each running the op that
/// <see cref="CreateLoop"/> returned for it over and over. The op should allocate nothing per
/// call (for example a reused <c>VerbBatch</c> posted again), so the numbers are the fabric's.
/// </summary>
internal sealed class BenchRow
{
    public BenchRow(
        string system, string op, int outstanding, Func<int, Func<ValueTask>> createLoop)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(system);
        ArgumentException.ThrowIfNullOrWhiteSpace(op);
        ArgumentOutOfRangeException.ThrowIfLessThan(outstanding, 1);
        ArgumentNullException.ThrowIfNull(createLoop);
        System = system;
        Op = op;
        Outstanding = outstanding;
        CreateLoop = createLoop;
    }

    public string System { get; }

    public string Op { get; }

    public int Outstanding { get; }

    /// <summary>Given the loop index, sets up that loop's state and returns its op.</summary>
    public Func<int, Func<ValueTask>> CreateLoop { get; }

    /// <summary>
    /// Runs after an op failed with a <c>TransportException</c>, before the loop goes on; for
    /// example a queue pair in the error state must be reset or every later op is flushed.
    /// </summary>
    public Func<ValueTask>? RecoverAsync { get; init; }

    public string Name => $"{System} {Op} x{Outstanding}";
}
