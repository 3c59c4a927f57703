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
        const int v = DsigParameters.ChainValueBytes;
        for (var chain = 0; chain < DsigParameters.Chains; chain += 2)
        {
            // Two chains at a time while both still climb, so their hashes overlap.
            ChainHash.Load(revealed[(chain * v)..], out var head0, out var tail0);
            ChainHash.Load(revealed[((chain + 1) * v)..], out var head1, out var tail1);
            int level0 = digits[chain];
            int level1 = digits[chain + 1];
            while (level0 < DsigParameters.TopLevel && level1 < DsigParameters.TopLevel)
            {
                ChainHash.StepPair(salt, chain, level0, ref head0, ref tail0, chain + 1, level1, ref head1, ref tail1);
                level0++;
                level1++;
            }

            ChainHash.Walk(salt, ref head0, ref tail0, chain, level0, DsigParameters.TopLevel);
            ChainHash.Walk(salt, ref head1, ref tail1, chain + 1, level1, DsigParameters.TopLevel);
            ChainHash.Store(head0, tail0, tops[(chain * v)..]);
            ChainHash.Store(head1, tail1, tops[((chain + 1) * v)..]);
        }

        Span<byte> leaf = stackalloc byte[DsigParameters.HashBytes];
        LeafHash.Compute(signature.PkNonce, tops, leaf);
        return CryptographicOperations.FixedTimeEquals(leaf, trustedLeaf);
    }
}
