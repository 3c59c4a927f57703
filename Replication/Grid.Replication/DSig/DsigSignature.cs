using System.Buffers.Binary;

namespace Grid.Replication.DSig;

/// <summary>
/// A parsed view of a packed signature (<see cref="DsigSignatureLayout"/>), over the caller's
/// bytes. Parsing only checks the length: every field is then a fixed slice, the key position
/// is 7 bits by construction and everything else is checked cryptographically by the verifier.
/// Bad input never throws: <see cref="TryParse"/> returns false (specs/dsig.md §10).
/// </summary>
public readonly ref struct DsigSignature
{
    private readonly ReadOnlySpan<byte> _bytes;

    private DsigSignature(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>The whole signature.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The key's public salt, authenticated through the leaf preimage (§5.2 step 5).</summary>
    public ReadOnlySpan<byte> PkNonce =>
        _bytes.Slice(DsigSignatureLayout.PkNonceOffset, DsigParameters.NonceBytes);

    public ReadOnlySpan<byte> Leaf => _bytes.Slice(DsigSignatureLayout.LeafOffset, DsigParameters.HashBytes);

    /// <summary>The 7 siblings from the leaf up, 32 bytes each.</summary>
    public ReadOnlySpan<byte> Path =>
        _bytes.Slice(DsigSignatureLayout.PathOffset, DsigParameters.TreeDepth * DsigParameters.HashBytes);

    public ReadOnlySpan<byte> RootSignature =>
        _bytes.Slice(DsigSignatureLayout.RootSignatureOffset, DsigParameters.Ed25519SignatureBytes);

    /// <summary>The raw index field: <c>batch sequence · 128 + key position</c>.</summary>
    public ulong Index => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[DsigSignatureLayout.IndexOffset..]);

    /// <summary>The signer's batch counter, covered by the root signature.</summary>
    public ulong BatchSequence => Index >> DsigParameters.TreeDepth;

    /// <summary>The key's position in its batch, 0..127.</summary>
    public int KeyIndex => (int)(Index & (DsigParameters.BatchKeys - 1));

    public ReadOnlySpan<byte> Nonce => _bytes.Slice(DsigSignatureLayout.NonceOffset, DsigParameters.NonceBytes);

    /// <summary>The 68 revealed chain values, 18 bytes each.</summary>
    public ReadOnlySpan<byte> ChainValues => _bytes[DsigSignatureLayout.ChainsOffset..];

    /// <summary>Accepts exactly <see cref="DsigParameters.SignatureBytes"/> bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out DsigSignature signature)
    {
        if (bytes.Length != DsigParameters.SignatureBytes)
        {
            signature = default;
            return false;
        }

        signature = new DsigSignature(bytes);
        return true;
    }

    /// <summary>The index field for a key: the batch sequence above the 7-bit position.</summary>
    public static ulong ComposeIndex(ulong batchSequence, int keyIndex) =>
        (batchSequence << DsigParameters.TreeDepth) | (uint)keyIndex;
}
