using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// The BLAKE3 compression function (BLAKE3 spec §2.2), one 64-byte block at a time, written for
/// this project with the four rows of the state in <see cref="Vector128{T}"/> registers: the
/// column step works on all four columns at once, then the rows are rotated so that the
/// diagonal step does the same. Used for seeds, digests, leaves and Merkle nodes
/// (specs/dsig.md §2). Checked against the official test vectors and against BouncyCastle.
/// </summary>
internal static class Blake3Compression
{
    public const int BlockBytes = 64;

    public const uint ChunkStart = 1;
    public const uint ChunkEnd = 2;
    public const uint Parent = 4;
    public const uint Root = 8;
    public const uint KeyedHash = 16;
    public const uint DeriveKeyContext = 32;
    public const uint DeriveKeyMaterial = 64;

    private const int Rounds = 7;

    /// <summary>The initial vector (the SHA-256 IV), first and second half.</summary>
    public static readonly Vector128<uint> Iv0 =
        Vector128.Create(0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au);

    public static readonly Vector128<uint> Iv1 =
        Vector128.Create(0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u);

    private static readonly Vector128<byte> Rotate16Mask =
        Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);

    private static readonly Vector128<byte> Rotate8Mask =
        Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);

    /// <summary>
    /// Message word order of each round: round r reads word <c>Schedule[16 r + i]</c> where the
    /// spec reads word i, i.e. the message permutation applied r times.
    /// </summary>
    private static readonly byte[] Schedule = BuildSchedule();

    /// <summary>
    /// Compresses <paramref name="block"/> (64 bytes; <paramref name="blockLength"/> of them
    /// meaningful, the rest zero) into the chaining value (<paramref name="cv0"/>,
    /// <paramref name="cv1"/>) and returns the four rows of the final state before the
    /// feed-forward; see <see cref="ChainingValue"/> and <see cref="WriteOutputBlock"/>.
    /// </summary>
    [SkipLocalsInit]
    public static void Rounds7(
        Vector128<uint> cv0,
        Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        ulong counter,
        uint blockLength,
        uint flags,
        out Vector128<uint> row0,
        out Vector128<uint> row1,
        out Vector128<uint> row2,
        out Vector128<uint> row3)
    {
        if (block.Length != BlockBytes)
        {
            throw new ArgumentException("a BLAKE3 block is 64 bytes", nameof(block));
        }

        scoped ReadOnlySpan<uint> m;
        Span<uint> words = stackalloc uint[16];
        if (BitConverter.IsLittleEndian)
        {
            m = MemoryMarshal.Cast<byte, uint>(block);
        }
        else
        {
            for (var i = 0; i < 16; i++)
            {
                words[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * i)..]);
            }

            m = words;
        }

        var a = cv0;
        var b = cv1;
        var c = Iv0;
        var d = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLength, flags);
        ref var s = ref MemoryMarshal.GetArrayDataReference(Schedule);
        for (var r = 0; r < Rounds; r++)
        {
            ref var o = ref Unsafe.Add(ref s, 16 * r);
            var mx = Vector128.Create(
                m[Unsafe.Add(ref o, 0)], m[Unsafe.Add(ref o, 2)],
                m[Unsafe.Add(ref o, 4)], m[Unsafe.Add(ref o, 6)]);
            var my = Vector128.Create(
                m[Unsafe.Add(ref o, 1)], m[Unsafe.Add(ref o, 3)],
                m[Unsafe.Add(ref o, 5)], m[Unsafe.Add(ref o, 7)]);
            G(ref a, ref b, ref c, ref d, mx, my);

            // Diagonalise: lane i then holds the diagonal (i, 4 + (i+1)%4, 8 + (i+2)%4, ...).
            b = Vector128.Shuffle(b, Vector128.Create(1u, 2, 3, 0));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(3u, 0, 1, 2));
            mx = Vector128.Create(
                m[Unsafe.Add(ref o, 8)], m[Unsafe.Add(ref o, 10)],
                m[Unsafe.Add(ref o, 12)], m[Unsafe.Add(ref o, 14)]);
            my = Vector128.Create(
                m[Unsafe.Add(ref o, 9)], m[Unsafe.Add(ref o, 11)],
                m[Unsafe.Add(ref o, 13)], m[Unsafe.Add(ref o, 15)]);
            G(ref a, ref b, ref c, ref d, mx, my);
            b = Vector128.Shuffle(b, Vector128.Create(3u, 0, 1, 2));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(1u, 2, 3, 0));
        }

        row0 = a;
        row1 = b;
        row2 = c;
        row3 = d;
    }

    /// <summary>Compresses a block and returns the new chaining value (BLAKE3 spec §2.2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ChainingValue(
        ref Vector128<uint> cv0,
        ref Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        ulong counter,
        uint blockLength,
        uint flags)
    {
        Rounds7(cv0, cv1, block, counter, blockLength, flags,
            out var a, out var b, out var c, out var d);
        cv0 = a ^ c;
        cv1 = b ^ d;
    }

    /// <summary>
    /// Compresses a root block and writes the full 64-byte output block (the XOF, BLAKE3 spec
    /// §2.6): words 0..7 are the chaining value, words 8..15 the input chaining value folded in.
    /// </summary>
    public static void WriteOutputBlock(
        Vector128<uint> cv0,
        Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        ulong outputBlock,
        uint blockLength,
        uint flags,
        Span<byte> output)
    {
        Rounds7(cv0, cv1, block, outputBlock, blockLength, flags,
            out var a, out var b, out var c, out var d);
        Span<byte> full = stackalloc byte[BlockBytes];
        Store(a ^ c, full);
        Store(b ^ d, full[16..]);
        Store(c ^ cv0, full[32..]);
        Store(d ^ cv1, full[48..]);
        full[..Math.Min(BlockBytes, output.Length)].CopyTo(output);
    }

    /// <summary>
    /// Plain BLAKE3 of exactly 64 bytes, 32 bytes out: one compression, no hasher state (a
    /// Merkle node, specs/dsig.md §3 step 6).
    /// </summary>
    public static void HashOneBlock(ReadOnlySpan<byte> block, Span<byte> output)
    {
        var cv0 = Iv0;
        var cv1 = Iv1;
        ChainingValue(ref cv0, ref cv1, block, 0, BlockBytes, ChunkStart | ChunkEnd | Root);
        Store(cv0, output);
        Store(cv1, output[16..]);
    }

    /// <summary>Loads four little-endian words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Load(ReadOnlySpan<byte> bytes) =>
        BitConverter.IsLittleEndian
            ? Vector128.Create(MemoryMarshal.Cast<byte, uint>(bytes[..16]))
            : Vector128.Create(
                BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]));

    /// <summary>Stores four words little-endian.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<uint> words, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            words.AsByte().CopyTo(bytes);
            return;
        }

        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[(4 * i)..], words.GetElement(i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(
        ref Vector128<uint> a,
        ref Vector128<uint> b,
        ref Vector128<uint> c,
        ref Vector128<uint> d,
        Vector128<uint> mx,
        Vector128<uint> my)
    {
        a += b + mx;
        d = RotateRight16(d ^ a);
        c += d;
        b = RotateRight(b ^ c, 12);
        a += b + my;
        d = RotateRight8(d ^ a);
        c += d;
        b = RotateRight(b ^ c, 7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight(Vector128<uint> x, [ConstantExpected] byte bits) =>
        Vector128.ShiftRightLogical(x, bits) | Vector128.ShiftLeft(x, 32 - bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight16(Vector128<uint> x) =>
        Ssse3.IsSupported
            ? Ssse3.Shuffle(x.AsByte(), Rotate16Mask).AsUInt32()
            : RotateRight(x, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight8(Vector128<uint> x) =>
        Ssse3.IsSupported
            ? Ssse3.Shuffle(x.AsByte(), Rotate8Mask).AsUInt32()
            : RotateRight(x, 8);

    private static byte[] BuildSchedule()
    {
        ReadOnlySpan<byte> permutation = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
        var schedule = new byte[16 * Rounds];
        for (var i = 0; i < 16; i++)
        {
            schedule[i] = (byte)i;
        }

        for (var r = 1; r < Rounds; r++)
        {
            for (var i = 0; i < 16; i++)
            {
                schedule[(16 * r) + i] = schedule[(16 * (r - 1)) + permutation[i]];
            }
        }

        return schedule;
    }
}
