using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// Haraka v2 (Kölbl, Lauridsen, Mendel, Rechberger, ePrint 2016/098), written for this project:
/// Haraka-512 is the W-OTS+ chain hash (specs/dsig.md §2, §3 step 4); Haraka-256 is here only
/// so the tests can check the shared AES core against its second published test vector.
/// Each round is two AES rounds on every 128-bit lane with its own round constant, then a
/// fixed shuffle of 32-bit words across lanes; five rounds, a feed-forward of the input, and
/// for Haraka-512 a truncation to 32 bytes. Runs on AES-NI when the CPU has it, else on
/// <see cref="SoftwareAes"/>; both are checked against the vectors and against each other.
/// </summary>
internal static class Haraka
{
    public const int Haraka512InputBytes = 64;
    public const int OutputBytes = 32;

    private const int RoundCount = 5;

    /// <summary>True when the AES round instructions are used.</summary>
    public static bool IsHardwareAccelerated => X86Aes.IsSupported;

    /// <summary>Haraka-512/256: 64 bytes in, 32 bytes out (on AES-NI when present).</summary>
    public static void Haraka512(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (X86Aes.IsSupported)
        {
            Haraka512(input, output, software: false);
        }
        else
        {
            Haraka512(input, output, software: true);
        }
    }

    /// <summary>Haraka-512/256 on the chosen AES implementation (tests compare the two).</summary>
    public static void Haraka512(ReadOnlySpan<byte> input, Span<byte> output, bool software)
    {
        if (input.Length != Haraka512InputBytes || output.Length < OutputBytes)
        {
            throw new ArgumentException("Haraka-512 maps 64 bytes to 32");
        }

        var s0 = Vector128.Create(input[..16]);
        var s1 = Vector128.Create(input[16..32]);
        var s2 = Vector128.Create(input[32..48]);
        var s3 = Vector128.Create(input[48..64]);
        if (software)
        {
            PermuteSoftware(ref s0, ref s1, ref s2, ref s3);
        }
        else
        {
            PermuteAesNi(ref s0, ref s1, ref s2, ref s3);
        }

        WriteTruncated(s0 ^ Vector128.Create(input[..16]), s1 ^ Vector128.Create(input[16..32]),
            s2 ^ Vector128.Create(input[32..48]), s3 ^ Vector128.Create(input[48..64]), output);
    }

    /// <summary>
    /// The Haraka-512 permutation followed by the feed-forward, on AES-NI, all in registers:
    /// the chain hash's hot path. Callers check <see cref="IsHardwareAccelerated"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Haraka512FeedForwardAesNi(
        ref Vector128<byte> s0, ref Vector128<byte> s1, ref Vector128<byte> s2, ref Vector128<byte> s3)
    {
        var i0 = s0;
        var i1 = s1;
        var i2 = s2;
        var i3 = s3;
        PermuteAesNi(ref s0, ref s1, ref s2, ref s3);
        s0 ^= i0;
        s1 ^= i1;
        s2 ^= i2;
        s3 ^= i3;
    }

    /// <summary>
    /// Two independent Haraka-512 permutations with feed-forward, interleaved so the AES units
    /// always have work while a round's result is pending (key generation, §3 step 3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Haraka512FeedForwardAesNiPair(
        ref Vector128<byte> s0, ref Vector128<byte> s1, ref Vector128<byte> s2, ref Vector128<byte> s3,
        ref Vector128<byte> t0, ref Vector128<byte> t1, ref Vector128<byte> t2, ref Vector128<byte> t3)
    {
        var (i0, i1, i2, i3) = (s0, s1, s2, s3);
        var (j0, j1, j2, j3) = (t0, t1, t2, t3);
        var rc = HarakaConstants.Round;
        for (var round = 0; round < RoundCount; round++)
        {
            var k = 8 * round;
            s0 = X86Aes.Encrypt(s0, rc[k]);
            t0 = X86Aes.Encrypt(t0, rc[k]);
            s1 = X86Aes.Encrypt(s1, rc[k + 1]);
            t1 = X86Aes.Encrypt(t1, rc[k + 1]);
            s2 = X86Aes.Encrypt(s2, rc[k + 2]);
            t2 = X86Aes.Encrypt(t2, rc[k + 2]);
            s3 = X86Aes.Encrypt(s3, rc[k + 3]);
            t3 = X86Aes.Encrypt(t3, rc[k + 3]);
            s0 = X86Aes.Encrypt(s0, rc[k + 4]);
            t0 = X86Aes.Encrypt(t0, rc[k + 4]);
            s1 = X86Aes.Encrypt(s1, rc[k + 5]);
            t1 = X86Aes.Encrypt(t1, rc[k + 5]);
            s2 = X86Aes.Encrypt(s2, rc[k + 6]);
            t2 = X86Aes.Encrypt(t2, rc[k + 6]);
            s3 = X86Aes.Encrypt(s3, rc[k + 7]);
            t3 = X86Aes.Encrypt(t3, rc[k + 7]);
            Mix4(ref s0, ref s1, ref s2, ref s3);
            Mix4(ref t0, ref t1, ref t2, ref t3);
        }

        s0 ^= i0;
        s1 ^= i1;
        s2 ^= i2;
        s3 ^= i3;
        t0 ^= j0;
        t1 ^= j1;
        t2 ^= j2;
        t3 ^= j3;
    }

    /// <summary>The same in software.</summary>
    public static void Haraka512FeedForwardSoftware(
        ref Vector128<byte> s0, ref Vector128<byte> s1, ref Vector128<byte> s2, ref Vector128<byte> s3)
    {
        var i0 = s0;
        var i1 = s1;
        var i2 = s2;
        var i3 = s3;
        PermuteSoftware(ref s0, ref s1, ref s2, ref s3);
        s0 ^= i0;
        s1 ^= i1;
        s2 ^= i2;
        s3 ^= i3;
    }

    /// <summary>Haraka-256/256: 32 bytes in, 32 bytes out (no truncation).</summary>
    public static void Haraka256(ReadOnlySpan<byte> input, Span<byte> output, bool software)
    {
        if (input.Length != OutputBytes || output.Length < OutputBytes)
        {
            throw new ArgumentException("Haraka-256 maps 32 bytes to 32");
        }

        var s0 = Vector128.Create(input[..16]);
        var s1 = Vector128.Create(input[16..32]);
        var rc = HarakaConstants.Round;
        for (var round = 0; round < RoundCount; round++)
        {
            for (var aes = 0; aes < 2; aes++)
            {
                var k = (4 * round) + (2 * aes);
                s0 = AesRound(s0, rc[k], software);
                s1 = AesRound(s1, rc[k + 1], software);
            }

            // MIX2: interleave the 32-bit words of the two lanes.
            var low = Vector128.Create(
                s0.AsUInt32()[0], s1.AsUInt32()[0], s0.AsUInt32()[1], s1.AsUInt32()[1]);
            var high = Vector128.Create(
                s0.AsUInt32()[2], s1.AsUInt32()[2], s0.AsUInt32()[3], s1.AsUInt32()[3]);
            s0 = low.AsByte();
            s1 = high.AsByte();
        }

        (s0 ^ Vector128.Create(input[..16])).CopyTo(output);
        (s1 ^ Vector128.Create(input[16..32])).CopyTo(output[16..]);
    }

    /// <summary>
    /// The 32-byte output of Haraka-512: the high halves of lanes 0 and 1, then the low halves
    /// of lanes 2 and 3.
    /// </summary>
    public static void WriteTruncated(
        Vector128<byte> s0, Vector128<byte> s1, Vector128<byte> s2, Vector128<byte> s3, Span<byte> output)
    {
        Span<byte> bytes = stackalloc byte[OutputBytes];
        Vector128.Create(s0.AsUInt64()[1], s1.AsUInt64()[1]).AsByte().CopyTo(bytes);
        Vector128.Create(s2.AsUInt64()[0], s3.AsUInt64()[0]).AsByte().CopyTo(bytes[16..]);
        bytes[..Math.Min(OutputBytes, output.Length)].CopyTo(output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PermuteAesNi(
        ref Vector128<byte> s0, ref Vector128<byte> s1, ref Vector128<byte> s2, ref Vector128<byte> s3)
    {
        var rc = HarakaConstants.Round;
        for (var round = 0; round < RoundCount; round++)
        {
            var k = 8 * round;
            s0 = X86Aes.Encrypt(s0, rc[k]);
            s1 = X86Aes.Encrypt(s1, rc[k + 1]);
            s2 = X86Aes.Encrypt(s2, rc[k + 2]);
            s3 = X86Aes.Encrypt(s3, rc[k + 3]);
            s0 = X86Aes.Encrypt(s0, rc[k + 4]);
            s1 = X86Aes.Encrypt(s1, rc[k + 5]);
            s2 = X86Aes.Encrypt(s2, rc[k + 6]);
            s3 = X86Aes.Encrypt(s3, rc[k + 7]);
            Mix4(ref s0, ref s1, ref s2, ref s3);
        }
    }

    private static void PermuteSoftware(
        ref Vector128<byte> s0, ref Vector128<byte> s1, ref Vector128<byte> s2, ref Vector128<byte> s3)
    {
        var rc = HarakaConstants.Round;
        for (var round = 0; round < RoundCount; round++)
        {
            var k = 8 * round;
            s0 = SoftwareAes.EncryptRound(s0, rc[k]);
            s1 = SoftwareAes.EncryptRound(s1, rc[k + 1]);
            s2 = SoftwareAes.EncryptRound(s2, rc[k + 2]);
            s3 = SoftwareAes.EncryptRound(s3, rc[k + 3]);
            s0 = SoftwareAes.EncryptRound(s0, rc[k + 4]);
            s1 = SoftwareAes.EncryptRound(s1, rc[k + 5]);
            s2 = SoftwareAes.EncryptRound(s2, rc[k + 6]);
            s3 = SoftwareAes.EncryptRound(s3, rc[k + 7]);
            Mix4(ref s0, ref s1, ref s2, ref s3);
        }
    }

    /// <summary>
    /// Haraka-512's word shuffle: with a..d the 32-bit words of lanes 0..3, the new lanes are
    /// (a3 c3 b3 d3), (c0 a0 d0 b0), (c1 a1 d1 b1), (a2 c2 b2 d2) — the unpack sequence of the
    /// optimised implementation, written with interleaves of 32-bit words.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix4(
        ref Vector128<byte> s0, ref Vector128<byte> s1, ref Vector128<byte> s2, ref Vector128<byte> s3)
    {
        var a = s0.AsUInt32();
        var b = s1.AsUInt32();
        var c = s2.AsUInt32();
        var d = s3.AsUInt32();
        var abLow = UnpackLow(a, b);   // a0 b0 a1 b1
        var abHigh = UnpackHigh(a, b); // a2 b2 a3 b3
        var cdLow = UnpackLow(c, d);   // c0 d0 c1 d1
        var cdHigh = UnpackHigh(c, d); // c2 d2 c3 d3
        s3 = UnpackLow(abHigh, cdHigh).AsByte();  // a2 c2 b2 d2
        s0 = UnpackHigh(abHigh, cdHigh).AsByte(); // a3 c3 b3 d3
        s2 = UnpackHigh(cdLow, abLow).AsByte();   // c1 a1 d1 b1
        s1 = UnpackLow(cdLow, abLow).AsByte();    // c0 a0 d0 b0
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> UnpackLow(Vector128<uint> x, Vector128<uint> y) =>
        System.Runtime.Intrinsics.X86.Sse2.IsSupported
            ? System.Runtime.Intrinsics.X86.Sse2.UnpackLow(x, y)
            : Vector128.Create(x[0], y[0], x[1], y[1]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> UnpackHigh(Vector128<uint> x, Vector128<uint> y) =>
        System.Runtime.Intrinsics.X86.Sse2.IsSupported
            ? System.Runtime.Intrinsics.X86.Sse2.UnpackHigh(x, y)
            : Vector128.Create(x[2], y[2], x[3], y[3]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> AesRound(Vector128<byte> state, Vector128<byte> key, bool software) =>
        software || !X86Aes.IsSupported
            ? SoftwareAes.EncryptRound(state, key)
            : X86Aes.Encrypt(state, key);
}
