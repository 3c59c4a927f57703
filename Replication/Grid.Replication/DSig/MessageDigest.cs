using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// The randomised message digest (specs/dsig.md §5.1 step 2, §10) and its 68 W-OTS+ digits:
/// D = BLAKE3-XOF(label ‖ signer u32 ‖ purpose u32 ‖ leaf ‖ nonce ‖ message), 64 bytes. The label
/// separates it from every other BLAKE3 use in DSig; the signer and purpose are the
/// domain-separation tag; the leaf binds the digest to one one-time key and the signer's nonce
/// makes it a randomised hash.
/// <para>
/// Messages of 953 to 4,096 bytes, whose input no longer fits one BLAKE3 chunk, are hashed in
/// four parts side by side instead (a deviation from the spec, for latency):
/// D = BLAKE3-XOF(label₄ ‖ signer ‖ purpose ‖ leaf ‖ nonce ‖ H(p₀) ‖ H(p₁) ‖ H(p₂) ‖ H(p₃)), where
/// H is BLAKE3-256 and p₀..p₃ cut the message at multiples of <see cref="PartBytes"/>. The
/// blocks of one chunk are compressed strictly one after another, so a 1 KiB message took 17
/// compressions in a row; this takes 4 for the parts and 3 for the 192-byte outer input. A
/// collision of two such digests on the same key and nonce needs equal part hashes, hence equal
/// parts (or a BLAKE3-256 collision), hence equal messages: the parts' lengths depend on the
/// message length only, and four equal parts make equal messages. The two labels differ in
/// their first 8 bytes, so no input of one form is an input of the other.
/// </para>
/// </summary>
internal static class MessageDigest
{
    /// <summary>16 ASCII bytes, never used as a prefix anywhere else.</summary>
    private static ReadOnlySpan<byte> Label => "grid-dsig-msg-v1"u8;

    /// <summary>8 ASCII bytes: the four-part form's outer input is then exactly three blocks.</summary>
    private static ReadOnlySpan<byte> FourPartLabel => "DSIG-MP4"u8;

    /// <summary>The longest message whose digest input fits one chunk (1,024 − 72 bytes).</summary>
    public const int OneChunkMessageMax = Blake3Hasher.ChunkBytes - 72;

    /// <summary>The longest message hashed in four parts: four chunks.</summary>
    public const int FourPartMessageMax = 4 * Blake3Compression.MaxPartBytes;

    /// <summary>
    /// The length of the first three parts of a message hashed in four parts: a quarter,
    /// rounded up to whole blocks, so the last part is the shortest (and never empty).
    /// </summary>
    public static int PartBytes(int messageLength) =>
        Blake3Compression.BlockBytes * ((messageLength + (4 * Blake3Compression.BlockBytes) - 1) / (4 * Blake3Compression.BlockBytes));

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
        Span<byte> digest = stackalloc byte[DsigParameters.DigestBytes];
        if (message.Length > OneChunkMessageMax && message.Length <= FourPartMessageMax)
        {
            FourPartDigest(domain, leaf, nonce, message, digest);
        }
        else
        {
            Span<byte> input = stackalloc byte[Blake3Hasher.ChunkBytes];
            var header = WriteHeader(Label, domain, leaf, nonce, input);
            if (message.Length <= OneChunkMessageMax)
            {
                message.CopyTo(input[header..]);
                Blake3Compression.HashSingleChunk(input[..(header + message.Length)], digest);
            }
            else
            {
                var hasher = Blake3Hasher.Create();
                hasher.Update(input[..header]);
                hasher.Update(message);
                hasher.Finalize(digest);
            }
        }

        WotsDigits.FromDigest(digest, digits);
    }

    /// <summary>The four-part form (see the type's remarks) of a message of 953 to 4,096 bytes.</summary>
    [SkipLocalsInit]
    internal static void FourPartDigest(
        DsigDomain domain,
        ReadOnlySpan<byte> leaf,
        ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> message,
        Span<byte> digest)
    {
        Debug.Assert(message.Length is > OneChunkMessageMax and <= FourPartMessageMax);
        Span<byte> input = stackalloc byte[8 + 4 + 4 + DsigParameters.HashBytes + DsigParameters.NonceBytes + (4 * 32)];
        var header = WriteHeader(FourPartLabel, domain, leaf, nonce, input);
        var part = PartBytes(message.Length);
        Blake3Compression.HashFourParts(
            message[..part],
            message.Slice(part, part),
            message.Slice(2 * part, part),
            message[(3 * part)..],
            input[header..]);
        Blake3Compression.HashSingleChunk(input, digest);
    }

    /// <summary>Writes label ‖ signer u32 ‖ purpose u32 ‖ leaf ‖ nonce; returns its length.</summary>
    private static int WriteHeader(
        ReadOnlySpan<byte> label, DsigDomain domain, ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> nonce, Span<byte> into)
    {
        label.CopyTo(into);
        var at = label.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(into[at..], domain.Signer.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(into[(at + 4)..], domain.Purpose.Value);
        leaf.CopyTo(into[(at + 8)..]);
        nonce.CopyTo(into[(at + 8 + DsigParameters.HashBytes)..]);
        return at + 8 + DsigParameters.HashBytes + DsigParameters.NonceBytes;
    }
}
