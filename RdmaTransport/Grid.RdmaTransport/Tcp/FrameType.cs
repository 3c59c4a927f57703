namespace Grid.RdmaTransport.Tcp;

/// <summary>TCP frame types. Wire values: append only, never renumber.</summary>
internal enum FrameType : byte
{
    Hello = 1,
    Challenge = 2,
    Auth = 3,
    Welcome = 4,
    Batch = 5,
    BatchResult = 6,
    Reset = 7,
    Error = 8,
    /// <summary>A Batch with a deadline: u64 NotAfter (UTC ticks), then the Batch payload.</summary>
    TimedBatch = 9,
}
