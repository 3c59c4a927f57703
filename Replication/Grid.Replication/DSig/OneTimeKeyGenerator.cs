using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grid.RdmaTransport;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// Makes one W-OTS+ key (specs/dsig.md §3 steps 1-5), deterministically from the signer's
/// master seed, its id, the batch sequence and the key's position:
/// BLAKE3 derive-key (context <see cref="Context"/>) of <c>master ‖ signer ‖ sequence ‖ position</c>
/// expands to 1,256 bytes: pk_nonce (16) ‖ signature nonce (16) ‖ the 68 level-0 secrets. Each
/// chain is then hashed to level 3, every level kept, and the tops give the leaf.
/// </summary>
internal static class OneTimeKeyGenerator
{
    public const int MasterSeedBytes = 32;

    /// <summary>Bytes of one chain's four levels in the key store.</summary>
    public const int ChainStride = DsigParameters.WinternitzDepth * DsigParameters.ChainValueBytes;

    private const int MaterialBytes = MasterSeedBytes + 4 + 8 + 1;

    private const int ExpandedBytes =
        (2 * DsigParameters.NonceBytes) + (DsigParameters.Chains * DsigParameters.ChainValueBytes);

    /// <summary>BLAKE3 key-derivation context: hard-coded and used nowhere else.</summary>
    private static ReadOnlySpan<byte> Context => "grid 2026-01 dsig one-time key material v1"u8;

    private static readonly byte[] ContextKey = Blake3Hasher.ContextKey(Context);

    /// <summary>
    /// Generates the key at (<paramref name="batchSequence"/>, <paramref name="keyIndex"/>):
    /// writes its pk_nonce, signature nonce, all levels (layout [chain][level][18 B]) and leaf.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Generate(
        ReadOnlySpan<byte> masterSeed,
        NodeId signer,
        ulong batchSequence,
        int keyIndex,
        Span<byte> pkNonce,
        Span<byte> nonce,
        Span<byte> levels,
        Span<byte> leaf)
    {
        Span<byte> tops = stackalloc byte[DsigParameters.Chains * DsigParameters.ChainValueBytes];
        GenerateChains(masterSeed, signer, batchSequence, keyIndex, pkNonce, nonce, levels, tops);
        LeafHash.Compute(pkNonce, tops, leaf);
    }

    /// <summary>
    /// Two keys, positions <paramref name="keyIndex"/> and the next: as two <see cref="Generate"/>
    /// calls, with the leaves hashed side by side.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void GeneratePair(
        ReadOnlySpan<byte> masterSeed,
        NodeId signer,
        ulong batchSequence,
        int keyIndex,
        Span<byte> pkNonceA,
        Span<byte> nonceA,
        Span<byte> levelsA,
        Span<byte> leafA,
        Span<byte> pkNonceB,
        Span<byte> nonceB,
        Span<byte> levelsB,
        Span<byte> leafB)
    {
        Span<byte> topsA = stackalloc byte[DsigParameters.Chains * DsigParameters.ChainValueBytes];
        Span<byte> topsB = stackalloc byte[DsigParameters.Chains * DsigParameters.ChainValueBytes];
        GenerateChains(masterSeed, signer, batchSequence, keyIndex, pkNonceA, nonceA, levelsA, topsA);
        GenerateChains(masterSeed, signer, batchSequence, keyIndex + 1, pkNonceB, nonceB, levelsB, topsB);
        LeafHash.ComputePair(pkNonceA, topsA, leafA, pkNonceB, topsB, leafB);
    }

    /// <summary>Everything of a key but its leaf: nonces, all levels, and the chain tops.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit]
    private static void GenerateChains(
        ReadOnlySpan<byte> masterSeed,
        NodeId signer,
        ulong batchSequence,
        int keyIndex,
        Span<byte> pkNonce,
        Span<byte> nonce,
        Span<byte> levels,
        Span<byte> tops)
    {
        Debug.Assert(masterSeed.Length == MasterSeedBytes);
        Debug.Assert(levels.Length == DsigParameters.SecretKeyBytes);
        Debug.Assert(keyIndex is >= 0 and < DsigParameters.BatchKeys);

        Span<byte> material = stackalloc byte[MaterialBytes];
        masterSeed.CopyTo(material);
        BinaryPrimitives.WriteUInt32LittleEndian(material[MasterSeedBytes..], signer.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(material[(MasterSeedBytes + 4)..], batchSequence);
        material[^1] = (byte)keyIndex;

        Span<byte> expanded = stackalloc byte[ExpandedBytes];
        var hasher = Blake3Hasher.CreateDeriveKeyFromContextKey(ContextKey);
        hasher.Update(material);
        hasher.Finalize(expanded);
        material.Clear();

        expanded[..DsigParameters.NonceBytes].CopyTo(pkNonce);
        expanded.Slice(DsigParameters.NonceBytes, DsigParameters.NonceBytes).CopyTo(nonce);
        var secrets = expanded[(2 * DsigParameters.NonceBytes)..];
        var salt = System.Runtime.Intrinsics.Vector128.Create(pkNonce[..16]);
        const int v = DsigParameters.ChainValueBytes;
        for (var chain = 0; chain < DsigParameters.Chains; chain += 2)
        {
            // Two chains at a time: their hashes are independent, so they overlap on the AES units.
            var first = levels.Slice(chain * ChainStride, 2 * ChainStride);
            secrets.Slice(chain * v, v).CopyTo(first);
            secrets.Slice((chain + 1) * v, v).CopyTo(first[ChainStride..]);
            ChainHash.Load(first, out var head0, out var tail0);
            ChainHash.Load(first[ChainStride..], out var head1, out var tail1);
            for (var level = 1; level <= DsigParameters.TopLevel; level++)
            {
                ChainHash.StepPair(salt, chain, level - 1, ref head0, ref tail0, chain + 1, level - 1, ref head1, ref tail1);
                ChainHash.Store(head0, tail0, first[(level * v)..]);
                ChainHash.Store(head1, tail1, first[(ChainStride + (level * v))..]);
            }

            ChainHash.Store(head0, tail0, tops[(chain * v)..]);
            ChainHash.Store(head1, tail1, tops[((chain + 1) * v)..]);
        }

        expanded.Clear();
    }
}
