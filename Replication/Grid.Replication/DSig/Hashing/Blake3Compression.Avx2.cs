using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// The compression function on CPUs with AVX2 but not AVX-512 (AMD Zen 2 and 3, most Intel
/// client parts): the block sits in two 256-bit registers and each half round's eight message
/// words are picked by one <c>vpermd</c> from each half and a blend, off the critical path;
/// the 16- and 8-bit rotations are byte shuffles, the 12- and 7-bit ones two shifts and an OR.
/// Same lane arrangement as the AVX-512 path (<see cref="RoundOrder"/>). Before this path,
/// such CPUs ran <see cref="Rounds7Portable"/>, which gathers every word on its own: a 1 KiB
/// message digest took about 1.7x as long.
/// </summary>
internal static partial class Blake3Compression
{
    /// <summary>One compression; see <see cref="Rounds7"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rounds7Avx2(
        Vector128<uint> a,
        Vector128<uint> b,
        ReadOnlySpan<byte> block,
        Vector128<uint> d,
        out Vector128<uint> row0,
        out Vector128<uint> row1,
        out Vector128<uint> row2,
        out Vector128<uint> row3)
    {
        var words = MemoryMarshal.Cast<byte, uint>(block);
        var low = Vector256.Create(words);
        var high = Vector256.Create(words[8..]);
        var c = Iv0;
        var order = Avx2Tables.Order;
        for (var r = 0; r < Rounds; r++)
        {
            var o = 4 * r;
            var columns = Pick(low, high, order[o], order[o + 1]);
            var diagonals = Pick(low, high, order[o + 2], order[o + 3]);

            // As in Rounds7Avx512: a, c and d rotated for the diagonal step, not b.
            G(ref a, ref b, ref c, ref d, columns.GetLower(), columns.GetUpper());
            Diagonalize(ref a, ref c, ref d);
            G(ref a, ref b, ref c, ref d, diagonals.GetLower(), diagonals.GetUpper());
            Undiagonalize(ref a, ref c, ref d);
        }

        row0 = a;
        row1 = b;
        row2 = c;
        row3 = d;
    }

    /// <summary>
    /// Two compressions at once, block A in the low 128-bit lane of every row and block B in
    /// the high one: about the latency of one. Returns the final rows before the feed-forward.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairRounds7Avx2(
        Vector256<uint> a,
        Vector256<uint> b,
        ReadOnlySpan<byte> blockA,
        ReadOnlySpan<byte> blockB,
        Vector256<uint> d,
        out Vector256<uint> row0,
        out Vector256<uint> row1,
        out Vector256<uint> row2,
        out Vector256<uint> row3)
    {
        var wordsA = MemoryMarshal.Cast<byte, uint>(blockA);
        var wordsB = MemoryMarshal.Cast<byte, uint>(blockB);
        var lowA = Vector256.Create(wordsA);
        var highA = Vector256.Create(wordsA[8..]);
        var lowB = Vector256.Create(wordsB);
        var highB = Vector256.Create(wordsB[8..]);
        var c = Vector256.Create(Iv0, Iv0);
        var order = Avx2Tables.Order;
        for (var r = 0; r < Rounds; r++)
        {
            var o = 4 * r;

            // (x, y) of A and of B, regrouped as (x of A, x of B) and (y of A, y of B).
            var columnsA = Pick(lowA, highA, order[o], order[o + 1]);
            var columnsB = Pick(lowB, highB, order[o], order[o + 1]);
            var diagonalsA = Pick(lowA, highA, order[o + 2], order[o + 3]);
            var diagonalsB = Pick(lowB, highB, order[o + 2], order[o + 3]);
            G(ref a, ref b, ref c, ref d,
                Avx2.Permute2x128(columnsA, columnsB, 0x20), Avx2.Permute2x128(columnsA, columnsB, 0x31));
            Diagonalize(ref a, ref c, ref d);
            G(ref a, ref b, ref c, ref d,
                Avx2.Permute2x128(diagonalsA, diagonalsB, 0x20), Avx2.Permute2x128(diagonalsA, diagonalsB, 0x31));
            Undiagonalize(ref a, ref c, ref d);
        }

        row0 = a;
        row1 = b;
        row2 = c;
        row3 = d;
    }

    /// <summary>
    /// Two root compressions of the same block with counters <paramref name="counter"/> and
    /// +1 (the XOF, BLAKE3 spec §2.6); writes 128 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TwoOutputBlocksAvx2(
        Vector128<uint> cv0,
        Vector128<uint> cv1,
        ReadOnlySpan<byte> block,
        ulong counter,
        uint blockLength,
        uint flags,
        Span<byte> output)
    {
        var cv0Both = Vector256.Create(cv0, cv0);
        var cv1Both = Vector256.Create(cv1, cv1);
        var d = Vector256.Create(
            Vector128.Create((uint)counter, (uint)(counter >> 32), blockLength, flags),
            Vector128.Create((uint)(counter + 1), (uint)((counter + 1) >> 32), blockLength, flags));
        PairRounds7Avx2(cv0Both, cv1Both, block, block, d, out var a, out var b, out var c, out var e);

        // Lane k of each row is 16 bytes of output block k.
        var row0 = a ^ c;
        var row1 = b ^ e;
        var row2 = c ^ cv0Both;
        var row3 = e ^ cv1Both;
        for (var k = 0; k < 2; k++)
        {
            var target = output.Slice(k * BlockBytes, BlockBytes);
            Half(row0, k).AsByte().CopyTo(target);
            Half(row1, k).AsByte().CopyTo(target[16..]);
            Half(row2, k).AsByte().CopyTo(target[32..]);
            Half(row3, k).AsByte().CopyTo(target[48..]);
        }
    }

    /// <summary>The G function on two compressions' columns or diagonals (BLAKE3 spec §2.2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(
        ref Vector256<uint> a,
        ref Vector256<uint> b,
        ref Vector256<uint> c,
        ref Vector256<uint> d,
        Vector256<uint> mx,
        Vector256<uint> my)
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
    private static Vector128<uint> Half(Vector256<uint> value, int k) => k == 0 ? value.GetLower() : value.GetUpper();

    /// <summary>Eight message words by number: from the block's low half, or its high half where <paramref name="fromHigh"/> is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pick(Vector256<uint> low, Vector256<uint> high, Vector256<uint> numbers, Vector256<uint> fromHigh) =>
        Avx2.BlendVariable(Avx2.PermuteVar8x32(low, numbers), Avx2.PermuteVar8x32(high, numbers), fromHigh);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight16(Vector256<uint> x) => Avx2.Shuffle(x.AsByte(), Avx2Tables.Rotate16Mask).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight8(Vector256<uint> x) => Avx2.Shuffle(x.AsByte(), Avx2Tables.Rotate8Mask).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight(Vector256<uint> x, [ConstantExpected] byte bits) =>
        Vector256.ShiftRightLogical(x, bits) | Vector256.ShiftLeft(x, 32 - bits);

    /// <summary>
    /// The AVX2 path's constants, in their own class so that they are built after
    /// <see cref="RoundOrder"/> (initialisers in two files of a partial class have no set order).
    /// </summary>
    private static class Avx2Tables
    {
        /// <summary>
        /// Per round: column-step word numbers (x then y), the lanes among them that come from
        /// words 8..15, then the same for the diagonal step.
        /// </summary>
        public static readonly Vector256<uint>[] Order = BuildOrder();

        public static readonly Vector256<byte> Rotate16Mask = Vector256.Create(Blake3Compression.Rotate16Mask, Blake3Compression.Rotate16Mask);

        public static readonly Vector256<byte> Rotate8Mask = Vector256.Create(Blake3Compression.Rotate8Mask, Blake3Compression.Rotate8Mask);

        private static Vector256<uint>[] BuildOrder()
        {
            var orders = new Vector256<uint>[4 * Rounds];
            Span<uint> words = stackalloc uint[16];
            Span<uint> fromHigh = stackalloc uint[8];
            for (var r = 0; r < Rounds; r++)
            {
                RoundOrder[r].CopyTo(words);
                for (var half = 0; half < 2; half++)
                {
                    var numbers = words.Slice(8 * half, 8);
                    for (var i = 0; i < 8; i++)
                    {
                        fromHigh[i] = numbers[i] >= 8 ? uint.MaxValue : 0;
                    }

                    // vpermd reads only the low three bits of each number.
                    orders[(4 * r) + (2 * half)] = Vector256.Create((ReadOnlySpan<uint>)numbers) & Vector256.Create(7u);
                    orders[(4 * r) + (2 * half) + 1] = Vector256.Create((ReadOnlySpan<uint>)fromHigh);
                }
            }

            return orders;
        }
    }
}
