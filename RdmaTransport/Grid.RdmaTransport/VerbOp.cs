namespace Grid.RdmaTransport;

/// <summary>One verb inside a <see cref="VerbBatch"/> (a work request, in RDMA terms).</summary>
internal struct VerbOp
{
    public VerbKind Kind;
    public uint RegionId;
    public ulong Offset;
    /// <summary>Bytes moved by READ, WRITE or SEND; 8 for atomics.</summary>
    public int Length;
    /// <summary>CAS: the expected value; FAA: the addend.</summary>
    public ulong Operand;
    /// <summary>CAS: the value to swap in.</summary>
    public ulong Swap;
    /// <summary>READ: where the bytes land at the initiator.</summary>
    public Memory<byte> Destination;
    /// <summary>WRITE and SEND: the bytes to move.</summary>
    public ReadOnlyMemory<byte> Source;
    /// <summary>CAS and FAA: the old value at the target.</summary>
    public ulong Result;
}
