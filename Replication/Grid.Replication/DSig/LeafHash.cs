using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// A one-time public key compressed to its leaf (specs/dsig.md §3 step 5):
/// BLAKE3(pk_nonce ‖ X[3][0] ‖ … ‖ X[3][67]), 32 bytes, over 16 + 1,224 bytes.
/// </summary>
internal static class LeafHash
{
    private const int PreimageBytes = DsigParameters.NonceBytes + (DsigParameters.Chains * DsigParameters.ChainValueBytes);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Compute(ReadOnlySpan<byte> pkNonce, ReadOnlySpan<byte> chainTops, Span<byte> leaf)
    {
        Debug.Assert(pkNonce.Length == DsigParameters.NonceBytes);
        Debug.Assert(chainTops.Length == DsigParameters.Chains * DsigParameters.ChainValueBytes);
        // 1,240 bytes: two chunks, hashed in one go without a hasher's state.
        Span<byte> preimage = stackalloc byte[PreimageBytes];
        pkNonce.CopyTo(preimage);
        chainTops.CopyTo(preimage[DsigParameters.NonceBytes..]);
        Blake3Compression.HashTwoChunks(preimage, leaf[..DsigParameters.HashBytes]);
    }

    /// <summary>The leaves of two keys at once (key generation makes keys in pairs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void ComputePair(
        ReadOnlySpan<byte> pkNonceA,
        ReadOnlySpan<byte> chainTopsA,
        Span<byte> leafA,
        ReadOnlySpan<byte> pkNonceB,
        ReadOnlySpan<byte> chainTopsB,
        Span<byte> leafB)
    {
        Span<byte> preimageA = stackalloc byte[PreimageBytes];
        Span<byte> preimageB = stackalloc byte[PreimageBytes];
        pkNonceA.CopyTo(preimageA);
        chainTopsA.CopyTo(preimageA[DsigParameters.NonceBytes..]);
        pkNonceB.CopyTo(preimageB);
        chainTopsB.CopyTo(preimageB[DsigParameters.NonceBytes..]);
        Blake3Compression.HashTwoChunksPair(preimageA, leafA, preimageB, leafB);
    }
}
