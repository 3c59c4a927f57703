using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// One AES encryption round in software, the portable fallback for
/// <see cref="System.Runtime.Intrinsics.X86.Aes.Encrypt"/> (AESENC: SubBytes, ShiftRows,
/// MixColumns, then XOR of the round key, FIPS 197 §5.1). The S-box is computed at start-up from
/// its definition (inverse in GF(2^8), then the affine map) and folded with MixColumns into one
/// table of 256 words. Table look-ups are not constant-time: on a machine without AES
/// instructions the signer's key generation may leak through the cache; a deployment that cares
/// runs on hardware with AES-NI (every x86-64 server since 2010), where this is never used.
/// </summary>
internal static class SoftwareAes
{
    /// <summary>The AES S-box (FIPS 197 §5.1.1).</summary>
    public static readonly byte[] SBox = BuildSBox();

    /// <summary>
    /// Column contribution of a byte in row 0 after SubBytes and MixColumns: the bytes
    /// (2·S[x], S[x], S[x], 3·S[x]) little-endian; rows 1..3 are this rotated by 8, 16, 24 bits.
    /// </summary>
    private static readonly uint[] Table = BuildTable();

    /// <summary>AESENC: one full round on <paramref name="state"/> with <paramref name="roundKey"/>.</summary>
    [SkipLocalsInit]
    public static Vector128<byte> EncryptRound(Vector128<byte> state, Vector128<byte> roundKey)
    {
        Span<byte> s = stackalloc byte[16];
        Span<byte> o = stackalloc byte[16];
        state.CopyTo(s);
        var table = Table;
        for (var c = 0; c < 4; c++)
        {
            // ShiftRows moves row r of column c + r into column c (FIPS 197 §5.1.2).
            var column =
                table[s[(4 * c) + 0]]
                ^ BitRotate(table[s[(4 * ((c + 1) & 3)) + 1]], 8)
                ^ BitRotate(table[s[(4 * ((c + 2) & 3)) + 2]], 16)
                ^ BitRotate(table[s[(4 * ((c + 3) & 3)) + 3]], 24);
            BinaryPrimitives.WriteUInt32LittleEndian(o[(4 * c)..], column);
        }

        return Vector128.Create((ReadOnlySpan<byte>)o) ^ roundKey;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BitRotate(uint value, int bits) => (value << bits) | (value >> (32 - bits));

    private static byte Multiply(byte a, byte b)
    {
        byte product = 0;
        for (var i = 0; i < 8; i++)
        {
            if ((b & 1) != 0)
            {
                product ^= a;
            }

            var high = (a & 0x80) != 0;
            a = (byte)(a << 1);
            if (high)
            {
                a ^= 0x1B; // x^8 = x^4 + x^3 + x + 1 in AES's field
            }

            b >>= 1;
        }

        return product;
    }

    private static byte[] BuildSBox()
    {
        var box = new byte[256];
        for (var x = 0; x < 256; x++)
        {
            // The multiplicative inverse (0 maps to 0): x^254.
            byte inverse = 0;
            if (x != 0)
            {
                byte power = 1;
                for (var i = 0; i < 254; i++)
                {
                    power = Multiply(power, (byte)x);
                }

                inverse = power;
            }

            var b = inverse;
            var affine = b ^ Rotl8(b, 1) ^ Rotl8(b, 2) ^ Rotl8(b, 3) ^ Rotl8(b, 4) ^ 0x63;
            box[x] = (byte)affine;
        }

        return box;
    }

    private static int Rotl8(byte b, int bits) => ((b << bits) | (b >> (8 - bits))) & 0xFF;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var x = 0; x < 256; x++)
        {
            var s = SBox[x];
            var twice = Multiply(s, 2);
            var thrice = (byte)(twice ^ s);
            table[x] = twice | ((uint)s << 8) | ((uint)s << 16) | ((uint)thrice << 24);
        }

        return table;
    }
}
