using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// Plain BLAKE3 of four inputs at once, for the digest of long messages (<c>MessageDigest</c>):
/// the blocks of one BLAKE3 chunk are compressed one after another, so a 1 KiB message takes 16
/// compressions in a row however wide the vectors are; cut into four parts hashed side by side
/// it takes 4. With AVX2 the four compressions of a step run as two interleaved pairs (blocks A
/// and B in one set of 256-bit rows, C and D in another), which the core overlaps.
/// </summary>
internal static partial class Blake3Compression
{
    /// <summary>The longest part <see cref="HashFourParts"/> takes: one chunk.</summary>
    public const int MaxPartBytes = 1024;

    /// <summary>
    /// Writes the 32-byte BLAKE3 hashes of <paramref name="part0"/> .. <paramref name="part3"/>
    /// (each at most 1,024 bytes, possibly empty) to <paramref name="hashes"/>, one after another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void HashFourParts(
        ReadOnlySpan<byte> part0,
        ReadOnlySpan<byte> part1,
        ReadOnlySpan<byte> part2,
        ReadOnlySpan<byte> part3,
        Span<byte> hashes)
    {
        if (part0.Length > MaxPartBytes || part1.Length > MaxPartBytes || part2.Length > MaxPartBytes
            || part3.Length > MaxPartBytes || hashes.Length < 4 * 32)
        {
            throw new ArgumentException("four parts of at most one chunk in, 128 bytes out");
        }

        if (!Avx2.IsSupported || !BitConverter.IsLittleEndian)
        {
            HashSingleChunk(part0, hashes[..32]);
            HashSingleChunk(part1, hashes[32..64]);
            HashSingleChunk(part2, hashes[64..96]);
            HashSingleChunk(part3, hashes[96..128]);
            return;
        }

        var blocks0 = Blocks(part0.Length);
        var blocks1 = Blocks(part1.Length);
        var blocks2 = Blocks(part2.Length);
        var blocks3 = Blocks(part3.Length);
        var steps = Math.Max(Math.Max(blocks0, blocks1), Math.Max(blocks2, blocks3));

        // A part's last block, zero-padded; a part that is done gets zeros and its result is
        // dropped (it was written out at its own last step).
        Span<byte> scratch = stackalloc byte[4 * BlockBytes];
        scratch.Clear();
        var ab0 = Vector256.Create(Iv0, Iv0);
        var ab1 = Vector256.Create(Iv1, Iv1);
        var cd0 = ab0;
        var cd1 = ab1;
        for (var step = 0; step < steps; step++)
        {
            var blockA = Block(part0, blocks0, step, scratch[..BlockBytes], out var wordsA);
            var blockB = Block(part1, blocks1, step, scratch.Slice(BlockBytes, BlockBytes), out var wordsB);
            var blockC = Block(part2, blocks2, step, scratch.Slice(2 * BlockBytes, BlockBytes), out var wordsC);
            var blockD = Block(part3, blocks3, step, scratch.Slice(3 * BlockBytes, BlockBytes), out var wordsD);
            QuadChainingValuesAvx2(
                ref ab0, ref ab1, ref cd0, ref cd1, blockA, blockB, blockC, blockD,
                Vector256.Create(wordsA, wordsB),
                Vector256.Create(wordsC, wordsD));
            if (step == blocks0 - 1)
            {
                StoreHash(ab0.GetLower(), ab1.GetLower(), hashes[..32]);
            }

            if (step == blocks1 - 1)
            {
                StoreHash(ab0.GetUpper(), ab1.GetUpper(), hashes[32..64]);
            }

            if (step == blocks2 - 1)
            {
                StoreHash(cd0.GetLower(), cd1.GetLower(), hashes[64..96]);
            }

            if (step == blocks3 - 1)
            {
                StoreHash(cd0.GetUpper(), cd1.GetUpper(), hashes[96..128]);
            }
        }
    }

    /// <summary>Blocks of a one-chunk input: an empty input is one empty block.</summary>
    private static int Blocks(int length) => Math.Max(1, (length + BlockBytes - 1) / BlockBytes);

    /// <summary>
    /// Block <paramref name="step"/> of a part and its counter/length/flags row (BLAKE3 spec
    /// §2.2: counter 0, chunk start on the first block, chunk end and root on the last).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Block(
        ReadOnlySpan<byte> part, int blocks, int step, Span<byte> scratch, out Vector128<uint> words)
    {
        if (step >= blocks)
        {
            scratch.Clear();
            words = Vector128<uint>.Zero;
            return scratch;
        }

        var flags = (step == 0 ? ChunkStart : 0) | (step == blocks - 1 ? ChunkEnd | Root : 0);
        var start = step * BlockBytes;
        if (step < blocks - 1)
        {
            words = Vector128.Create(0u, 0, BlockBytes, flags);
            return part.Slice(start, BlockBytes);
        }

        var tail = part[start..];
        tail.CopyTo(scratch);
        scratch[tail.Length..].Clear();
        words = Vector128.Create(0u, 0, (uint)tail.Length, flags);
        return scratch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreHash(Vector128<uint> cv0, Vector128<uint> cv1, Span<byte> hash)
    {
        Store(cv0, hash);
        Store(cv1, hash[16..]);
    }

    /// <summary>
    /// Four compressions: blocks A and B in the low and high lanes of (<paramref name="ab0"/>,
    /// <paramref name="ab1"/>), C and D in (<paramref name="cd0"/>, <paramref name="cd1"/>);
    /// each chaining value is replaced by the block's output chaining value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuadChainingValuesAvx2(
        ref Vector256<uint> ab0,
        ref Vector256<uint> ab1,
        ref Vector256<uint> cd0,
        ref Vector256<uint> cd1,
        ReadOnlySpan<byte> blockA,
        ReadOnlySpan<byte> blockB,
        ReadOnlySpan<byte> blockC,
        ReadOnlySpan<byte> blockD,
        Vector256<uint> wordsAB,
        Vector256<uint> wordsCD)
    {
        var messageA = MemoryMarshal.Cast<byte, uint>(blockA);
        var messageB = MemoryMarshal.Cast<byte, uint>(blockB);
        var messageC = MemoryMarshal.Cast<byte, uint>(blockC);
        var messageD = MemoryMarshal.Cast<byte, uint>(blockD);
        var lowA = Vector256.Create(messageA);
        var highA = Vector256.Create(messageA[8..]);
        var lowB = Vector256.Create(messageB);
        var highB = Vector256.Create(messageB[8..]);
        var lowC = Vector256.Create(messageC);
        var highC = Vector256.Create(messageC[8..]);
        var lowD = Vector256.Create(messageD);
        var highD = Vector256.Create(messageD[8..]);
        var (a, b, c, d) = (ab0, ab1, Vector256.Create(Iv0, Iv0), wordsAB);
        var (e, f, g, h) = (cd0, cd1, c, wordsCD);
        var order = Avx2Tables.Order;
        for (var r = 0; r < Rounds; r++)
        {
            var o = 4 * r;
            var columnsA = Pick(lowA, highA, order[o], order[o + 1]);
            var columnsB = Pick(lowB, highB, order[o], order[o + 1]);
            var columnsC = Pick(lowC, highC, order[o], order[o + 1]);
            var columnsD = Pick(lowD, highD, order[o], order[o + 1]);

            // Two independent dependency chains, written one after the other: the core runs
            // them side by side (the rows rotate as in Rounds7Avx2).
            G(ref a, ref b, ref c, ref d,
                Avx2.Permute2x128(columnsA, columnsB, 0x20), Avx2.Permute2x128(columnsA, columnsB, 0x31));
            G(ref e, ref f, ref g, ref h,
                Avx2.Permute2x128(columnsC, columnsD, 0x20), Avx2.Permute2x128(columnsC, columnsD, 0x31));
            Diagonalize(ref a, ref c, ref d);
            Diagonalize(ref e, ref g, ref h);

            var diagonalsA = Pick(lowA, highA, order[o + 2], order[o + 3]);
            var diagonalsB = Pick(lowB, highB, order[o + 2], order[o + 3]);
            var diagonalsC = Pick(lowC, highC, order[o + 2], order[o + 3]);
            var diagonalsD = Pick(lowD, highD, order[o + 2], order[o + 3]);
            G(ref a, ref b, ref c, ref d,
                Avx2.Permute2x128(diagonalsA, diagonalsB, 0x20), Avx2.Permute2x128(diagonalsA, diagonalsB, 0x31));
            G(ref e, ref f, ref g, ref h,
                Avx2.Permute2x128(diagonalsC, diagonalsD, 0x20), Avx2.Permute2x128(diagonalsC, diagonalsD, 0x31));
            Undiagonalize(ref a, ref c, ref d);
            Undiagonalize(ref e, ref g, ref h);
        }

        ab0 = a ^ c;
        ab1 = b ^ d;
        cd0 = e ^ g;
        cd1 = f ^ h;
    }
}
