using System.Buffers.Binary;

namespace Grid.Replication.DSig;

/// <summary>
/// The batch a signer ships to its verifiers (specs/dsig.md §3 step 9):
/// <c>batch sequence u64 ‖ 128 leaves ‖ root signature</c>, 4,168 bytes. The sender's identity
/// comes from the channel (an authenticated connection), and the root signature covers it.
/// </summary>
public static class BatchMessage
{
    private const int LeavesOffset = sizeof(ulong);
    private const int RootSignatureOffset = LeavesOffset + (DsigParameters.BatchKeys * DsigParameters.HashBytes);

    internal static byte[] Write(ulong batchSequence, ReadOnlySpan<byte> leaves, ReadOnlySpan<byte> rootSignature)
    {
        var message = new byte[DsigParameters.BatchMessageBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(message, batchSequence);
        leaves.CopyTo(message.AsSpan(LeavesOffset));
        rootSignature.CopyTo(message.AsSpan(RootSignatureOffset));
        return message;
    }

    /// <summary>Splits a batch message; false (never an exception) unless it is exactly 4,168 bytes.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> message,
        out ulong batchSequence,
        out ReadOnlySpan<byte> leaves,
        out ReadOnlySpan<byte> rootSignature)
    {
        if (message.Length != DsigParameters.BatchMessageBytes)
        {
            batchSequence = 0;
            leaves = default;
            rootSignature = default;
            return false;
        }

        batchSequence = BinaryPrimitives.ReadUInt64LittleEndian(message);
        leaves = message.Slice(LeavesOffset, DsigParameters.BatchKeys * DsigParameters.HashBytes);
        rootSignature = message.Slice(RootSignatureOffset, DsigParameters.Ed25519SignatureBytes);
        return true;
    }
}
