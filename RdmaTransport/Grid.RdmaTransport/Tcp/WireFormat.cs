using System.Buffers.Binary;
using System.IO.Hashing;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// The frozen layout of the TCP fabric (little-endian). Every frame:
/// <code>
///  0 u32 length     bytes after this field: 16 + payload
///  4 u8  version    1
///  5 u8  type       FrameType
///  6 u16 flags      0
///  8 u32 checksum   low 32 bits of XxHash3(payload)
/// 12 u64 requestId  batch sequence number on the connection (0 in the handshake)
/// 20 payload
/// </code>
/// Batch payload: u16 opCount, then per op u8 kind, u32 region, u64 offset and READ: u32 length;
/// WRITE and SEND: u32 length + bytes; CAS: u64 expected, u64 desired; FAA: u64 delta.
/// BatchResult payload: u8 error, u16 failedOp (0xFFFF: none), u16 executedOps, then per executed
/// op READ: the bytes, CAS and FAA: the u64 old value; last u16 messageBytes and the UTF-8 message.
/// TimedBatch payload: u64 NotAfter (UTC ticks), then a Batch payload.
/// Error payload: u8 error, u16 messageBytes, message. The handshake frames are laid out in
/// <see cref="Handshake"/>.
/// </summary>
internal static class WireFormat
{
    public const byte Version = 1;
    public const int HeaderBytes = 20;
    public const int LengthFieldBytes = 4;
    public const int HeaderAfterLengthBytes = HeaderBytes - LengthFieldBytes;
    public const int OpHeaderBytes = 1 + 4 + 8;
    public const int ResultHeaderBytes = 1 + 2 + 2;
    public const ushort NoFailedOp = 0xFFFF;
    public const int NonceBytes = 32;
    public const int ProofBytes = 32;
    public const uint HelloMagic = 0x4D445247; // "GRDM"
    public const int MaxErrorMessageBytes = 1024;
    public const int DeadlineBytes = 8;

    public static uint Checksum(ReadOnlySpan<byte> payload) => (uint)XxHash3.HashToUInt64(payload);

    /// <summary>Size of an op in a Batch frame, given its kind and data length.</summary>
    public static int RequestOpBytes(VerbKind kind, int length) => OpHeaderBytes + kind switch
    {
        VerbKind.Read => 4,
        VerbKind.Write or VerbKind.Send => 4 + length,
        VerbKind.CompareAndSwap => 16,
        VerbKind.FetchAndAdd => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown verb"),
    };

    /// <summary>Size of an executed op's result in a BatchResult frame.</summary>
    public static int ResultOpBytes(VerbKind kind, int length) => kind switch
    {
        VerbKind.Read => length,
        VerbKind.CompareAndSwap or VerbKind.FetchAndAdd => 8,
        _ => 0,
    };

    public static void WriteHeader(
        Span<byte> frame, FrameType type, ulong requestId, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(HeaderAfterLengthBytes + payload.Length));
        frame[4] = Version;
        frame[5] = (byte)type;
        BinaryPrimitives.WriteUInt16LittleEndian(frame[6..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[8..], Checksum(payload));
        BinaryPrimitives.WriteUInt64LittleEndian(frame[12..], requestId);
    }
}
