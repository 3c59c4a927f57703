namespace Grid.RdmaTransport;

/// <summary>
/// The verbs a batch can carry. The values are part of the TCP wire format: append only, never
/// renumber (pinned by WireFormatStabilityTests).
/// </summary>
public enum VerbKind : byte
{
    Read = 1,
    Write = 2,
    CompareAndSwap = 3,
    FetchAndAdd = 4,
    Send = 5,
}
