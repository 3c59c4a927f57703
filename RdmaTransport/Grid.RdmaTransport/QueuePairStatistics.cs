namespace Grid.RdmaTransport;

/// <summary>
/// Live counters of one queue pair. Protocols read <see cref="Roundtrips"/> before and after an
/// operation to count its roundtrips (the cost model of DESIGN.md, performance method).
/// </summary>
public sealed class QueuePairStatistics
{
    private long _roundtrips;
    private long _ops;
    private long _bytesOut;
    private long _bytesIn;
    private long _errors;

    /// <summary>Completed batches: each is one roundtrip.</summary>
    public long Roundtrips => Volatile.Read(ref _roundtrips);

    public long Ops => Volatile.Read(ref _ops);

    /// <summary>Payload bytes sent to the target (WRITE and SEND data).</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>Payload bytes brought back (READ data).</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Batches that completed with an error.</summary>
    public long Errors => Volatile.Read(ref _errors);

    internal void Record(int ops, long bytesOut, long bytesIn, bool failed)
    {
        Interlocked.Increment(ref _roundtrips);
        Interlocked.Add(ref _ops, ops);
        Interlocked.Add(ref _bytesOut, bytesOut);
        Interlocked.Add(ref _bytesIn, bytesIn);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
