using Grid.RdmaTransport;

namespace Grid.Cli.Bench;

/// <summary>
/// A row to measure: <see cref="Outstanding"/> concurrent loops. A single-op row runs the op
/// that its loop factory returned over and over; the op should allocate nothing per call (for
/// example a reused <c>VerbBatch</c> posted again), so the numbers are the fabric's. A mixed row
/// (<see cref="IBenchLoop"/>) runs several ops and yields one result per op.
/// </summary>
internal sealed class BenchRow
{
    public BenchRow(
        string system, string op, int outstanding, Func<int, Func<ValueTask>> createLoop)
        : this(system, [op], outstanding, CreateSingleOp(createLoop))
    {
    }

    public BenchRow(
        string system, IReadOnlyList<string> ops, int outstanding, Func<int, IBenchLoop> createLoop)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(system);
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentOutOfRangeException.ThrowIfLessThan(ops.Count, 1);
        foreach (var op in ops)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(op);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(outstanding, 1);
        ArgumentNullException.ThrowIfNull(createLoop);
        System = system;
        Ops = ops;
        Outstanding = outstanding;
        CreateLoop = createLoop;
    }

    public string System { get; }

    /// <summary>The ops of the row, as named in the table; one result each.</summary>
    public IReadOnlyList<string> Ops { get; }

    public int Outstanding { get; }

    /// <summary>Given the loop index, sets up that loop's state and returns it.</summary>
    public Func<int, IBenchLoop> CreateLoop { get; }

    /// <summary>
    /// Runs after an op failed with an error (<see cref="IsError"/>), before the loop goes on;
    /// for example a queue pair in the error state must be reset or every later op is flushed.
    /// </summary>
    public Func<ValueTask>? RecoverAsync { get; init; }

    /// <summary>
    /// Which exceptions of an op are counted as errors of the row (the loop goes on); any other
    /// ends the run. Default: <see cref="TransportException"/>.
    /// </summary>
    public Func<Exception, bool> IsError { get; init; } = static ex => ex is TransportException;

    /// <summary>
    /// Called once per round, right before the measured phase starts, with its Stopwatch
    /// timestamp: the origin of time series and of faults injected during the run.
    /// </summary>
    public Action<long>? MeasurementStarting { get; init; }

    /// <summary>
    /// When set, each loop keeps going after its share of the measured ops until the measured
    /// phase has lasted this long (a fault scheduled at a time must fall inside the run).
    /// </summary>
    public TimeSpan? MinimumMeasuredDuration { get; init; }

    public string Name => $"{System} {string.Join('/', Ops)} x{Outstanding}";

    private static Func<int, IBenchLoop> CreateSingleOp(Func<int, Func<ValueTask>> createLoop)
    {
        ArgumentNullException.ThrowIfNull(createLoop);
        return loop => new SingleOpLoop(createLoop(loop));
    }

    /// <summary>A single-op loop: it hands back the op's own ValueTask, adding nothing per op.</summary>
    private sealed class SingleOpLoop(Func<ValueTask> op) : IBenchLoop
    {
        public int LastRoundtrips => 0;

        public int NextOp() => 0;

        public ValueTask RunAsync() => op();
    }
}
