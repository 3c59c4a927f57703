using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// The tweakable chain hash F (specs/dsig.md §3 step 4): the 64-byte block
/// <c>pk_nonce + (j + 68·l) ‖ x (18 B) ‖ 30 zero bytes</c> — the tweak added to the nonce's first
/// four bytes read as a little-endian u32, mod 2^32 — goes through Haraka-512, and the first
/// 18 bytes of its output are the next chain value. The public salt and the position tweak
/// take the place of W-OTS+'s XOR bitmasks. A chain value lives in two registers: bytes 0..15,
/// and bytes 16..17 in the low lane of the second (the rest zero), which is exactly the block's
/// second and third lane, so walking a chain never leaves the registers.
/// </summary>
internal static class ChainHash
{
    private static readonly Vector128<byte> TailMask =
        Vector128.Create((byte)0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// Hashes <paramref name="value"/> of chain <paramref name="chain"/> from level
    /// <paramref name="fromLevel"/> up to <paramref name="toLevel"/> (F applied toLevel − fromLevel times).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Walk(
        Vector128<byte> pkNonce,
        ref Vector128<byte> head,
        ref Vector128<byte> tail,
        int chain,
        int fromLevel,
        int toLevel)
    {
        Debug.Assert(fromLevel >= 0 && toLevel <= DsigParameters.TopLevel && fromLevel <= toLevel);
        for (var level = fromLevel; level < toLevel; level++)
        {
            var tweak = (uint)(chain + (DsigParameters.Chains * level));
            var s0 = (pkNonce.AsUInt32() + Vector128.CreateScalar(tweak)).AsByte();
            var s1 = head;
            var s2 = tail;
            var s3 = Vector128<byte>.Zero;
            if (Haraka.IsHardwareAccelerated)
            {
                Haraka.Haraka512FeedForwardAesNi(ref s0, ref s1, ref s2, ref s3);
            }
            else
            {
                Haraka.Haraka512FeedForwardSoftware(ref s0, ref s1, ref s2, ref s3);
            }

            // Haraka-512's output starts with the high halves of lanes 0 and 1, then lane 2.
            head = Vector128.Create(s0.AsUInt64()[1], s1.AsUInt64()[1]).AsByte();
            tail = s2 & TailMask;
        }
    }

    /// <summary>
    /// One step of two chains, from <paramref name="level0"/> and <paramref name="level1"/>: the
    /// same as two <see cref="Walk"/> steps, nearly twice as fast on AES-NI because the two
    /// hashes overlap on the AES units (key generation, verification).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StepPair(
        Vector128<byte> pkNonce,
        int chain0,
        int level0,
        ref Vector128<byte> head0,
        ref Vector128<byte> tail0,
        int chain1,
        int level1,
        ref Vector128<byte> head1,
        ref Vector128<byte> tail1)
    {
        Debug.Assert(level0 is >= 0 and < DsigParameters.TopLevel && level1 is >= 0 and < DsigParameters.TopLevel);
        if (!Haraka.IsHardwareAccelerated)
        {
            Walk(pkNonce, ref head0, ref tail0, chain0, level0, level0 + 1);
            Walk(pkNonce, ref head1, ref tail1, chain1, level1, level1 + 1);
            return;
        }

        var s0 = (pkNonce.AsUInt32() + Vector128.CreateScalar((uint)(chain0 + (DsigParameters.Chains * level0)))).AsByte();
        var s1 = head0;
        var s2 = tail0;
        var s3 = Vector128<byte>.Zero;
        var t0 = (pkNonce.AsUInt32() + Vector128.CreateScalar((uint)(chain1 + (DsigParameters.Chains * level1)))).AsByte();
        var t1 = head1;
        var t2 = tail1;
        var t3 = Vector128<byte>.Zero;
        Haraka.Haraka512FeedForwardAesNiPair(ref s0, ref s1, ref s2, ref s3, ref t0, ref t1, ref t2, ref t3);
        head0 = Vector128.Create(s0.AsUInt64()[1], s1.AsUInt64()[1]).AsByte();
        tail0 = s2 & TailMask;
        head1 = Vector128.Create(t0.AsUInt64()[1], t1.AsUInt64()[1]).AsByte();
        tail1 = t2 & TailMask;
    }

    /// <summary>Loads an 18-byte chain value into its two registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(ReadOnlySpan<byte> value, out Vector128<byte> head, out Vector128<byte> tail)
    {
        Debug.Assert(value.Length >= DsigParameters.ChainValueBytes);
        head = Vector128.Create(value[..16]);
        tail = Vector128.Create((ushort)(value[16] | (value[17] << 8)), 0, 0, 0, 0, 0, 0, 0).AsByte();
    }

    /// <summary>Stores a chain value (18 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<byte> head, Vector128<byte> tail, Span<byte> value)
    {
        Debug.Assert(value.Length >= DsigParameters.ChainValueBytes);
        head.CopyTo(value);
        var last = tail.AsUInt16()[0];
        value[16] = (byte)last;
        value[17] = (byte)(last >> 8);
    }

    /// <summary>F once, on bytes (reference form for tests): 18 bytes in, 18 bytes out.</summary>
    public static void Hash(
        ReadOnlySpan<byte> pkNonce, ReadOnlySpan<byte> value, int chain, int level, Span<byte> output)
    {
        Load(value, out var head, out var tail);
        Walk(Vector128.Create(pkNonce[..16]), ref head, ref tail, chain, level, level + 1);
        Store(head, tail, output);
    }
}
