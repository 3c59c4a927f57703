using System.Buffers.Binary;
using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// What the long-term Ed25519 key signs for a batch (specs/dsig.md §3 step 7):
/// <c>label ‖ signer u32 ‖ batch sequence u64 ‖ root</c>, 60 bytes. The spec signs the bare
/// root; the label keeps these signatures apart from anything else the key might sign, and
/// the signer id and sequence let a verifier place the batch without trusting the sender.
/// </summary>
internal static class RootStatement
{
    public const int Bytes = 16 + 4 + 8 + DsigParameters.HashBytes;

    private static ReadOnlySpan<byte> Label => "grid-dsig-root-1"u8;

    public static void Write(NodeId signer, ulong batchSequence, ReadOnlySpan<byte> root, Span<byte> statement)
    {
        Label.CopyTo(statement);
        BinaryPrimitives.WriteUInt32LittleEndian(statement[16..], signer.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(statement[20..], batchSequence);
        root[..DsigParameters.HashBytes].CopyTo(statement[28..]);
    }
}
