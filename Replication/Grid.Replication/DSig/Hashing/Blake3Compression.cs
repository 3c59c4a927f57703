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
internal static partial class Blake3Compression
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
    /// Per round, the 16 message word numbers in the order the AVX-512 path consumes them:
    /// column step x and y words, then diagonal step x and y words (lane i = diagonal i + 3).
    /// </summary>
    private static readonly Vector512<uint>[] RoundOrder = BuildRoundOrder();

    /// <summary>
    /// <see cref="RoundOrder"/>'s four quarters per round, each repeated in all four lanes: the
    /// message vectors of four compressions of one block at once.
    /// </summary>
    private static readonly Vector512<uint>[] BroadcastOrder = BuildBroadcastOrder();

    /// <summary>
    /// Per round, two <c>vpermt2d</c> index vectors over (block A ‖ block B): column words
    /// (x of A, x of B, y of A, y of B), then diagonal words in the same arrangement.
    /// </summary>
    private static readonly Vector512<uint>[] PairOrder = BuildPairOrder();

    /// <summary>
    /// Compresses <paramref name="block"/> (64 bytes; <paramref name="blockLength"/> of them
    /// meaningful, the rest zero) into the chaining value (<paramref name="cv0"/>,
    /// <paramref name="cv1"/>) and returns the four rows of the final state before the
    /// feed-forward; see <see cref="ChainingValue"/> and <see cref="WriteOutputBlock"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        var d = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLength, flags);
        if (Avx512F.VL.IsSupported && BitConverter.IsLittleEndian)
        {
            Rounds7Avx512(cv0, cv1, block, d, out row0, out row1, out row2, out row3);
        }
        else if (Avx2.IsSupported && BitConverter.IsLittleEndian)
        {
            Rounds7Avx2(cv0, cv1, block, d, out row0, out row1, out row2, out row3);
        }
        else
        {
            Rounds7Portable(cv0, cv1, block, d, out row0, out row1, out row2, out row3);
        }
    }

    /// <summary>
    /// The rounds with AVX-512: the whole block in one 512-bit register, and each round's
    /// message words put in column/diagonal order by one 16-word permutation (vpermd); the
    /// rotations are single instructions (vprord).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rounds7Avx512(
        Vector128<uint> a,
        Vector128<uint> b,
        ReadOnlySpan<byte> block,
        Vector128<uint> d,
        out Vector128<uint> row0,
        out Vector128<uint> row1,
        out Vector128<uint> row2,
        out Vector128<uint> row3)
    {
        var message = Vector512.Create(MemoryMarshal.Cast<byte, uint>(block));
        var c = Iv0;
        var order = RoundOrder;
        for (var r = 0; r < Rounds; r++)
        {
            // G written out rather than called with refs: refs would pin the rows in memory.
            // (a + m) + b, not a + (b + m): b is the last row computed, so adding it last
            // takes one instruction off the critical path of every half round.
            var words = Avx512F.PermuteVar16x32(message, order[r]);
            var low = words.GetLower();
            var high = words.GetUpper();
            a = a + low.GetLower() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 16);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 12);
            a = a + low.GetUpper() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 8);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 7);

            // Diagonalise by rotating a, c and d, not b: b is computed last, so its rotation
            // would sit on the critical path; the others' rotations overlap with it. Lane i then
            // holds the diagonal through b's word 4 + i: (3,4,9,14), (0,5,10,15), (1,6,11,12),
            // (2,7,8,13), and the message order matches (see BuildRoundOrder).
            Diagonalize(ref a, ref c, ref d);
            a = a + high.GetLower() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 16);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 12);
            a = a + high.GetUpper() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 8);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 7);
            Undiagonalize(ref a, ref c, ref d);
        }

        row0 = a;
        row1 = b;
        row2 = c;
        row3 = d;
    }

    /// <summary>The rounds on any CPU: message words gathered one by one.</summary>
    [SkipLocalsInit]
    internal static void Rounds7Portable(
        Vector128<uint> cv0,
        Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        Vector128<uint> d,
        out Vector128<uint> row0,
        out Vector128<uint> row1,
        out Vector128<uint> row2,
        out Vector128<uint> row3)
    {
        Span<uint> m = stackalloc uint[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * i)..]);
        }

        var a = cv0;
        var b = cv1;
        var c = Iv0;
        var s = Schedule;
        for (var r = 0; r < Rounds; r++)
        {
            var o = 16 * r;
            var mx = Vector128.Create(m[s[o]], m[s[o + 2]], m[s[o + 4]], m[s[o + 6]]);
            var my = Vector128.Create(m[s[o + 1]], m[s[o + 3]], m[s[o + 5]], m[s[o + 7]]);
            G(ref a, ref b, ref c, ref d, mx, my);

            // Diagonalise: lane i then holds the diagonal (i, 4 + (i+1)%4, 8 + (i+2)%4, ...).
            b = Vector128.Shuffle(b, Vector128.Create(1u, 2, 3, 0));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(3u, 0, 1, 2));
            mx = Vector128.Create(m[s[o + 8]], m[s[o + 10]], m[s[o + 12]], m[s[o + 14]]);
            my = Vector128.Create(m[s[o + 9]], m[s[o + 11]], m[s[o + 13]], m[s[o + 15]]);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashOneBlock(ReadOnlySpan<byte> block, Span<byte> output)
    {
        var cv0 = Iv0;
        var cv1 = Iv1;
        ChainingValue(ref cv0, ref cv1, block, 0, BlockBytes, ChunkStart | ChunkEnd | Root);
        Store(cv0, output);
        Store(cv1, output[16..]);
    }

    /// <summary>
    /// Plain BLAKE3 of an input that fits one chunk (at most 1,024 bytes), up to 64 bytes out:
    /// the blocks chained directly, with no hasher state to set up (the message digest of short
    /// messages, specs/dsig.md §5.1 step 2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void HashSingleChunk(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length > 1024 || output.Length > BlockBytes)
        {
            throw new ArgumentException("one chunk in, one output block out");
        }

        var cv0 = Iv0;
        var cv1 = Iv1;
        var start = ChunkStart;
        while (input.Length > BlockBytes)
        {
            ChainingValue(ref cv0, ref cv1, input[..BlockBytes], 0, BlockBytes, start);
            start = 0;
            input = input[BlockBytes..];
        }

        Span<byte> last = stackalloc byte[BlockBytes];
        input.CopyTo(last);
        last[input.Length..].Clear();
        WriteOutputBlock(cv0, cv1, last, 0, (uint)input.Length, start | ChunkEnd | Root, output);
    }

    /// <summary>
    /// Two independent compressions of different blocks at once (two 128-bit lanes of 256-bit
    /// rows, the message words of both gathered by one <c>vpermt2d</c> per half round): about
    /// the latency of one. With AVX2 only, the same in 256-bit rows (<see cref="PairRounds7Avx2"/>);
    /// without either, two sequential <see cref="ChainingValue"/> calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ChainingValuePair(
        ref Vector128<uint> a0,
        ref Vector128<uint> a1,
        ReadOnlySpan<byte> blockA,
        ulong counterA,
        uint lengthA,
        uint flagsA,
        ref Vector128<uint> b0,
        ref Vector128<uint> b1,
        ReadOnlySpan<byte> blockB,
        ulong counterB,
        uint lengthB,
        uint flagsB)
    {
        if (!Avx512F.VL.IsSupported && Avx2.IsSupported && BitConverter.IsLittleEndian
            && blockA.Length == BlockBytes && blockB.Length == BlockBytes)
        {
            PairRounds7Avx2(
                Vector256.Create(a0, b0),
                Vector256.Create(a1, b1),
                blockA,
                blockB,
                Vector256.Create(
                    Vector128.Create((uint)counterA, (uint)(counterA >> 32), lengthA, flagsA),
                    Vector128.Create((uint)counterB, (uint)(counterB >> 32), lengthB, flagsB)),
                out var a2,
                out var b2,
                out var c2,
                out var d2);
            var low2 = a2 ^ c2;
            var high2 = b2 ^ d2;
            a0 = low2.GetLower();
            b0 = low2.GetUpper();
            a1 = high2.GetLower();
            b1 = high2.GetUpper();
            return;
        }

        if (!Avx512F.VL.IsSupported || !BitConverter.IsLittleEndian
            || blockA.Length != BlockBytes || blockB.Length != BlockBytes)
        {
            ChainingValue(ref a0, ref a1, blockA, counterA, lengthA, flagsA);
            ChainingValue(ref b0, ref b1, blockB, counterB, lengthB, flagsB);
            return;
        }

        var messageA = Vector512.Create(MemoryMarshal.Cast<byte, uint>(blockA));
        var messageB = Vector512.Create(MemoryMarshal.Cast<byte, uint>(blockB));
        var a = Vector256.Create(a0, b0);
        var b = Vector256.Create(a1, b1);
        var c = Vector256.Create(Iv0, Iv0);
        var d = Vector256.Create(
            Vector128.Create((uint)counterA, (uint)(counterA >> 32), lengthA, flagsA),
            Vector128.Create((uint)counterB, (uint)(counterB >> 32), lengthB, flagsB));
        var order = PairOrder;
        for (var r = 0; r < Rounds; r++)
        {
            var columns = Avx512F.PermuteVar16x32x2(messageA, order[2 * r], messageB);
            var diagonals = Avx512F.PermuteVar16x32x2(messageA, order[(2 * r) + 1], messageB);
            a = a + columns.GetLower() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 16);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 12);
            a = a + columns.GetUpper() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 8);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 7);
            Diagonalize(ref a, ref c, ref d);
            a = a + diagonals.GetLower() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 16);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 12);
            a = a + diagonals.GetUpper() + b;
            d = Avx512F.VL.RotateRight(d ^ a, 8);
            c += d;
            b = Avx512F.VL.RotateRight(b ^ c, 7);
            Undiagonalize(ref a, ref c, ref d);
        }

        var low = a ^ c;
        var high = b ^ d;
        a0 = low.GetLower();
        b0 = low.GetUpper();
        a1 = high.GetLower();
        b1 = high.GetUpper();
    }

    /// <summary>
    /// 32-byte BLAKE3 hashes of two inputs of the same length, between 1,025 and 2,048 bytes,
    /// computed side by side: both first chunks, both second chunks, both roots in paired
    /// compressions (the leaves of two one-time keys).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void HashTwoChunksPair(ReadOnlySpan<byte> inputA, Span<byte> outputA, ReadOnlySpan<byte> inputB, Span<byte> outputB)
    {
        if (inputA.Length != inputB.Length || inputA.Length <= 1024 || inputA.Length > 2048
            || outputA.Length < 32 || outputB.Length < 32)
        {
            throw new ArgumentException("two inputs of one length in 1,025..2,048 bytes, 32 bytes out each");
        }

        const int chunkBlocks = 1024 / BlockBytes;
        var (a0, a1, b0, b1) = (Iv0, Iv1, Iv0, Iv1);
        for (var i = 0; i < chunkBlocks; i++)
        {
            var flags = (i == 0 ? ChunkStart : 0) | (i == chunkBlocks - 1 ? ChunkEnd : 0);
            ChainingValuePair(
                ref a0, ref a1, inputA.Slice(i * BlockBytes, BlockBytes), 0, BlockBytes, flags,
                ref b0, ref b1, inputB.Slice(i * BlockBytes, BlockBytes), 0, BlockBytes, flags);
        }

        var secondLength = inputA.Length - 1024;
        var secondBlocks = (secondLength + BlockBytes - 1) / BlockBytes;
        var lastLength = secondLength - ((secondBlocks - 1) * BlockBytes);
        Span<byte> lastA = stackalloc byte[BlockBytes];
        Span<byte> lastB = stackalloc byte[BlockBytes];
        inputA[(1024 + ((secondBlocks - 1) * BlockBytes))..].CopyTo(lastA);
        inputB[(1024 + ((secondBlocks - 1) * BlockBytes))..].CopyTo(lastB);
        lastA[lastLength..].Clear();
        lastB[lastLength..].Clear();
        var (c0, c1, d0, d1) = (Iv0, Iv1, Iv0, Iv1);
        for (var i = 0; i < secondBlocks; i++)
        {
            var last = i == secondBlocks - 1;
            var flags = (i == 0 ? ChunkStart : 0) | (last ? ChunkEnd : 0);
            var length = last ? (uint)lastLength : BlockBytes;
            ChainingValuePair(
                ref c0, ref c1, last ? lastA : inputA.Slice(1024 + (i * BlockBytes), BlockBytes), 1, length, flags,
                ref d0, ref d1, last ? lastB : inputB.Slice(1024 + (i * BlockBytes), BlockBytes), 1, length, flags);
        }

        // The roots: parents of the two chunks; their first 32 output bytes are the chaining value.
        Span<byte> parentA = stackalloc byte[BlockBytes];
        Span<byte> parentB = stackalloc byte[BlockBytes];
        Store(a0, parentA);
        Store(a1, parentA[16..]);
        Store(c0, parentA[32..]);
        Store(c1, parentA[48..]);
        Store(b0, parentB);
        Store(b1, parentB[16..]);
        Store(d0, parentB[32..]);
        Store(d1, parentB[48..]);
        var (r0, r1, s0, s1) = (Iv0, Iv1, Iv0, Iv1);
        ChainingValuePair(
            ref r0, ref r1, parentA, 0, BlockBytes, Parent | Root, ref s0, ref s1, parentB, 0, BlockBytes, Parent | Root);
        Store(r0, outputA);
        Store(r1, outputA[16..]);
        Store(s0, outputB);
        Store(s1, outputB[16..]);
    }

    /// <summary>Two one-block hashes at once (<see cref="HashOneBlock"/>): sibling Merkle nodes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashOneBlockPair(ReadOnlySpan<byte> blockA, Span<byte> outputA, ReadOnlySpan<byte> blockB, Span<byte> outputB)
    {
        var a0 = Iv0;
        var a1 = Iv1;
        var b0 = Iv0;
        var b1 = Iv1;
        const uint flags = ChunkStart | ChunkEnd | Root;
        ChainingValuePair(ref a0, ref a1, blockA, 0, BlockBytes, flags, ref b0, ref b1, blockB, 0, BlockBytes, flags);
        Store(a0, outputA);
        Store(a1, outputA[16..]);
        Store(b0, outputB);
        Store(b1, outputB[16..]);
    }

    /// <summary>
    /// Plain BLAKE3 of at most two chunks (2,048 bytes), up to 64 bytes out, with no hasher
    /// state: both chunks' chaining values, then their parent as the root (the digest of
    /// messages up to about 2 KB).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashTwoChunks(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length <= 1024)
        {
            HashSingleChunk(input, output);
            return;
        }

        if (input.Length > 2048 || output.Length > BlockBytes)
        {
            throw new ArgumentException("two chunks in, one output block out");
        }

        // Chunk 1's blocks run alongside chunk 0's first ones; the rest of chunk 0 alone.
        var first = input[..1024];
        var second = input[1024..];
        var secondBlocks = (second.Length + BlockBytes - 1) / BlockBytes;
        Span<byte> lastOfSecond = stackalloc byte[BlockBytes];
        second[((secondBlocks - 1) * BlockBytes)..].CopyTo(lastOfSecond);
        lastOfSecond[(second.Length - ((secondBlocks - 1) * BlockBytes))..].Clear();
        var (a0, a1, b0, b1) = (Iv0, Iv1, Iv0, Iv1);
        const int chunkBlocks = 1024 / BlockBytes;
        for (var i = 0; i < chunkBlocks; i++)
        {
            var flagsA = (i == 0 ? ChunkStart : 0) | (i == chunkBlocks - 1 ? ChunkEnd : 0);
            var blockA = first.Slice(i * BlockBytes, BlockBytes);
            if (i < secondBlocks)
            {
                var last = i == secondBlocks - 1;
                var blockB = last ? lastOfSecond : second.Slice(i * BlockBytes, BlockBytes);
                var lengthB = last ? (uint)(second.Length - (i * BlockBytes)) : BlockBytes;
                var flagsB = (i == 0 ? ChunkStart : 0) | (last ? ChunkEnd : 0);
                ChainingValuePair(ref a0, ref a1, blockA, 0, BlockBytes, flagsA, ref b0, ref b1, blockB, 1, lengthB, flagsB);
            }
            else
            {
                ChainingValue(ref a0, ref a1, blockA, 0, BlockBytes, flagsA);
            }
        }

        Span<byte> parent = stackalloc byte[BlockBytes];
        Store(a0, parent);
        Store(a1, parent[16..]);
        Store(b0, parent[32..]);
        Store(b1, parent[48..]);
        WriteOutputBlock(Iv0, Iv1, parent, 0, BlockBytes, Parent | Root, output);
    }

    /// <summary>
    /// Writes output blocks <paramref name="firstOutputBlock"/>, ... of a root node until
    /// <paramref name="output"/> is full (the XOF, BLAKE3 spec §2.6). The blocks differ only in
    /// their counter, so with AVX-512 four are computed at once, one per 128-bit lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void WriteOutputBlocks(
        Vector128<uint> cv0,
        Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        ulong firstOutputBlock,
        uint blockLength,
        uint flags,
        Span<byte> output)
    {
        var counter = firstOutputBlock;
        if (Avx512F.VL.IsSupported && BitConverter.IsLittleEndian && block.Length == BlockBytes)
        {
            Span<byte> four = stackalloc byte[4 * BlockBytes];
            while (output.Length > 2 * BlockBytes)
            {
                FourOutputBlocksAvx512(cv0, cv1, block, counter, blockLength, flags, four);
                var take = Math.Min(four.Length, output.Length);
                four[..take].CopyTo(output);
                output = output[take..];
                counter += 4;
            }
        }
        else if (Avx2.IsSupported && BitConverter.IsLittleEndian && block.Length == BlockBytes)
        {
            Span<byte> two = stackalloc byte[2 * BlockBytes];
            while (output.Length > BlockBytes)
            {
                TwoOutputBlocksAvx2(cv0, cv1, block, counter, blockLength, flags, two);
                var take = Math.Min(two.Length, output.Length);
                two[..take].CopyTo(output);
                output = output[take..];
                counter += 2;
            }
        }

        for (; !output.IsEmpty; counter++)
        {
            WriteOutputBlock(cv0, cv1, block, counter, blockLength, flags, output);
            output = output[Math.Min(BlockBytes, output.Length)..];
        }
    }

    /// <summary>
    /// Four root compressions of the same block with counters <paramref name="counter"/> ..
    /// +3, one per 128-bit lane of 512-bit rows; writes 256 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourOutputBlocksAvx512(
        Vector128<uint> cv0,
        Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        ulong counter,
        uint blockLength,
        uint flags,
        Span<byte> output)
    {
        var message = Vector512.Create(MemoryMarshal.Cast<byte, uint>(block));
        var a = Broadcast(cv0);
        var b = Broadcast(cv1);
        var c = Broadcast(Iv0);
        var d = Vector512.Create(
            Vector256.Create(
                Vector128.Create((uint)counter, (uint)(counter >> 32), blockLength, flags),
                Vector128.Create((uint)(counter + 1), (uint)((counter + 1) >> 32), blockLength, flags)),
            Vector256.Create(
                Vector128.Create((uint)(counter + 2), (uint)((counter + 2) >> 32), blockLength, flags),
                Vector128.Create((uint)(counter + 3), (uint)((counter + 3) >> 32), blockLength, flags)));
        var order = BroadcastOrder;
        for (var r = 0; r < Rounds; r++)
        {
            var o = 4 * r;
            a = a + Avx512F.PermuteVar16x32(message, order[o]) + b;
            d = Avx512F.RotateRight(d ^ a, 16);
            c += d;
            b = Avx512F.RotateRight(b ^ c, 12);
            a = a + Avx512F.PermuteVar16x32(message, order[o + 1]) + b;
            d = Avx512F.RotateRight(d ^ a, 8);
            c += d;
            b = Avx512F.RotateRight(b ^ c, 7);
            a = Avx512F.Shuffle(a, 0b_10_01_00_11);
            c = Avx512F.Shuffle(c, 0b_00_11_10_01);
            d = Avx512F.Shuffle(d, 0b_01_00_11_10);
            a = a + Avx512F.PermuteVar16x32(message, order[o + 2]) + b;
            d = Avx512F.RotateRight(d ^ a, 16);
            c += d;
            b = Avx512F.RotateRight(b ^ c, 12);
            a = a + Avx512F.PermuteVar16x32(message, order[o + 3]) + b;
            d = Avx512F.RotateRight(d ^ a, 8);
            c += d;
            b = Avx512F.RotateRight(b ^ c, 7);
            a = Avx512F.Shuffle(a, 0b_00_11_10_01);
            c = Avx512F.Shuffle(c, 0b_10_01_00_11);
            d = Avx512F.Shuffle(d, 0b_01_00_11_10);
        }

        // Lane k of each row is 16 bytes of output block k.
        var row0 = a ^ c;
        var row1 = b ^ d;
        var row2 = c ^ Broadcast(cv0);
        var row3 = d ^ Broadcast(cv1);
        for (var k = 0; k < 4; k++)
        {
            var target = output.Slice(k * BlockBytes, BlockBytes);
            Quarter(row0, k).AsByte().CopyTo(target);
            Quarter(row1, k).AsByte().CopyTo(target[16..]);
            Quarter(row2, k).AsByte().CopyTo(target[32..]);
            Quarter(row3, k).AsByte().CopyTo(target[48..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Broadcast(Vector128<uint> lane)
    {
        var half = Vector256.Create(lane, lane);
        return Vector512.Create(half, half);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Quarter(Vector512<uint> value, int k) => k switch
    {
        0 => value.GetLower().GetLower(),
        1 => value.GetLower().GetUpper(),
        2 => value.GetUpper().GetLower(),
        _ => value.GetUpper().GetUpper(),
    };

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

    /// <summary>
    /// Rotates rows a, c and d (not b, see <see cref="Rounds7Avx512"/>) so that each lane holds one
    /// diagonal for the diagonal step; <see cref="Undiagonalize(ref Vector128{uint}, ref Vector128{uint}, ref Vector128{uint})"/> puts them back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Diagonalize(ref Vector128<uint> a, ref Vector128<uint> c, ref Vector128<uint> d)
    {
        a = Sse2.Shuffle(a, 0b_10_01_00_11);
        c = Sse2.Shuffle(c, 0b_00_11_10_01);
        d = Sse2.Shuffle(d, 0b_01_00_11_10);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Undiagonalize(ref Vector128<uint> a, ref Vector128<uint> c, ref Vector128<uint> d)
    {
        a = Sse2.Shuffle(a, 0b_00_11_10_01);
        c = Sse2.Shuffle(c, 0b_10_01_00_11);
        d = Sse2.Shuffle(d, 0b_01_00_11_10);
    }

    /// <summary>The same, on two compressions' rows in the two 128-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Diagonalize(ref Vector256<uint> a, ref Vector256<uint> c, ref Vector256<uint> d)
    {
        a = Avx2.Shuffle(a, 0b_10_01_00_11);
        c = Avx2.Shuffle(c, 0b_00_11_10_01);
        d = Avx2.Shuffle(d, 0b_01_00_11_10);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Undiagonalize(ref Vector256<uint> a, ref Vector256<uint> c, ref Vector256<uint> d)
    {
        a = Avx2.Shuffle(a, 0b_00_11_10_01);
        c = Avx2.Shuffle(c, 0b_10_01_00_11);
        d = Avx2.Shuffle(d, 0b_01_00_11_10);
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
        a = a + mx + b;
        d = RotateRight16(d ^ a);
        c += d;
        b = RotateRight(b ^ c, 12);
        a = a + my + b;
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

    private static Vector512<uint>[] BuildPairOrder()
    {
        var orders = new Vector512<uint>[2 * Rounds];
        Span<uint> order = stackalloc uint[16];
        Span<uint> words = stackalloc uint[16];
        for (var r = 0; r < Rounds; r++)
        {
            RoundOrder[r].CopyTo(words);
            for (var half = 0; half < 2; half++)
            {
                for (var i = 0; i < 4; i++)
                {
                    order[i] = words[(8 * half) + i];
                    order[4 + i] = 16 + words[(8 * half) + i];
                    order[8 + i] = words[(8 * half) + 4 + i];
                    order[12 + i] = 16 + words[(8 * half) + 4 + i];
                }

                orders[(2 * r) + half] = Vector512.Create((ReadOnlySpan<uint>)order);
            }
        }

        return orders;
    }

    private static Vector512<uint>[] BuildBroadcastOrder()
    {
        var orders = new Vector512<uint>[4 * Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            for (var q = 0; q < 4; q++)
            {
                orders[(4 * r) + q] = Broadcast(Quarter(RoundOrder[r], q));
            }
        }

        return orders;
    }

    private static Vector512<uint>[] BuildRoundOrder()
    {
        var orders = new Vector512<uint>[Rounds];
        Span<uint> order = stackalloc uint[16];
        for (var r = 0; r < Rounds; r++)
        {
            for (var i = 0; i < 4; i++)
            {
                // Column step: column i uses words 2i and 2i + 1.
                order[i] = Schedule[(16 * r) + (2 * i)];
                order[4 + i] = Schedule[(16 * r) + (2 * i) + 1];

                // Diagonal step: lane i holds diagonal (i + 3) % 4, which uses 8 + 2·that.
                var diagonal = (i + 3) % 4;
                order[8 + i] = Schedule[(16 * r) + 8 + (2 * diagonal)];
                order[12 + i] = Schedule[(16 * r) + 8 + (2 * diagonal) + 1];
            }

            orders[r] = Vector512.Create((ReadOnlySpan<uint>)order);
        }

        return orders;
    }

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
