using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// The randomised message digest (specs/dsig.md §5.1 step 2, §10):
/// D = BLAKE3-XOF(label ‖ signer u32 ‖ purpose u32 ‖ leaf ‖ nonce ‖ message), 64 bytes, and its
/// 68 W-OTS+ digits. The label separates it from every other BLAKE3 use in DSig; the signer and
/// purpose are the domain-separation tag; the leaf binds the digest to one one-time key and the
/// signer's nonce makes it a randomised hash.
/// </summary>
internal static class MessageDigest
{
    /// <summary>16 ASCII bytes, never used as a prefix anywhere else.</summary>
    private static ReadOnlySpan<byte> Label => "grid-dsig-msg-v1"u8;

    /// <summary>Computes the 68 digits of <paramref name="message"/> under one key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Digits(
        DsigDomain domain,
        ReadOnlySpan<byte> leaf,
        ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> message,
        Span<byte> digits)
    {
        Debug.Assert(leaf.Length == DsigParameters.HashBytes);
        Debug.Assert(nonce.Length == DsigParameters.NonceBytes);
        Span<byte> prefix = stackalloc byte[16 + 4 + 4 + DsigParameters.HashBytes + DsigParameters.NonceBytes];
        Label.CopyTo(prefix);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[16..], domain.Signer.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[20..], domain.Purpose.Value);
        leaf.CopyTo(prefix[24..]);
        nonce.CopyTo(prefix[(24 + DsigParameters.HashBytes)..]);

        Span<byte> digest = stackalloc byte[DsigParameters.DigestBytes];
        if (prefix.Length + message.Length <= 2 * Blake3Hasher.ChunkBytes)
        {
            // Messages up to 1,976 bytes: one or two chunks, no hasher state.
            Span<byte> input = stackalloc byte[2 * Blake3Hasher.ChunkBytes];
            prefix.CopyTo(input);
            message.CopyTo(input[prefix.Length..]);
            Blake3Compression.HashTwoChunks(input[..(prefix.Length + message.Length)], digest);
        }
        else
        {
            var hasher = Blake3Hasher.Create();
            hasher.Update(prefix);
            hasher.Update(message);
            hasher.Finalize(digest);
        }

        WotsDigits.FromDigest(digest, digits);
    }
}
