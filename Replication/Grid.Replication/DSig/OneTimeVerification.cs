using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>
/// The W-OTS+ half of verification (specs/dsig.md §5.2 steps 3-5): digits from the digest
/// under the trusted leaf, each revealed value hashed from its digit up to level 3, and the
/// leaf recomputed from the tops. On average 102 chain hashes and two BLAKE3 calls; no
/// allocation.
/// </summary>
internal static class OneTimeVerification
{
    /// <summary>
    /// True when <paramref name="signature"/>'s revealed values sign <paramref name="message"/>
    /// under the one-time key whose leaf is <paramref name="trustedLeaf"/>.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Verify(
        DsigDomain domain, ReadOnlySpan<byte> message, in DsigSignature signature, ReadOnlySpan<byte> trustedLeaf)
    {
        Span<byte> digits = stackalloc byte[DsigParameters.Chains];
        MessageDigest.Digits(domain, trustedLeaf, signature.Nonce, message, digits);

        Span<byte> tops = stackalloc byte[DsigParameters.Chains * DsigParameters.ChainValueBytes];
        var salt = Vector128.Create(signature.PkNonce);
        var revealed = signature.ChainValues;
        for (var chain = 0; chain < DsigParameters.Chains; chain++)
        {
            ChainHash.Load(revealed[(chain * DsigParameters.ChainValueBytes)..], out var head, out var tail);
            ChainHash.Walk(salt, ref head, ref tail, chain, digits[chain], DsigParameters.TopLevel);
            ChainHash.Store(head, tail, tops[(chain * DsigParameters.ChainValueBytes)..]);
        }

        Span<byte> leaf = stackalloc byte[DsigParameters.HashBytes];
        LeafHash.Compute(signature.PkNonce, tops, leaf);
        return CryptographicOperations.FixedTimeEquals(leaf, trustedLeaf);
    }
}
