namespace Grid.Cli.Bench;

/// <summary>
/// When the measured phase of a row started (a Stopwatch timestamp; 0: not yet), shared by its
/// loops so they put only measured ops on their timelines.
/// </summary>
internal sealed class MeasuredPhase
{
    private long _start;

    public long Start => Volatile.Read(ref _start);

    public void Begin(long timestamp) => Volatile.Write(ref _start, timestamp);
}
