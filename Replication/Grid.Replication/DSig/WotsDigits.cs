using System.Diagnostics;

namespace Grid.Replication.DSig;

/// <summary>
/// The 68 base-4 digits a W-OTS+ signature reveals (specs/dsig.md §5.1 steps 2-3): 64 message
/// digits, the two low bits of each digest byte, then 4 checksum digits of
/// C = Σ (w − 1 − dᵢ), least significant first. This is the standard checksum, not the
/// published code's Σ dᵢ (§6): raising any message digit lowers C, and since a signature
/// reveals chain level dᵢ and anyone can hash upward, a forger who raises message digits would
/// need some checksum digit to go down, which needs a preimage of the chain hash.
/// </summary>
internal static class WotsDigits
{
    /// <summary>Derives the digits from a 64-byte digest.</summary>
    public static void FromDigest(ReadOnlySpan<byte> digest, Span<byte> digits)
    {
        Debug.Assert(digest.Length >= DsigParameters.MessageDigits);
        Debug.Assert(digits.Length >= DsigParameters.Chains);
        var checksum = 0;
        for (var i = 0; i < DsigParameters.MessageDigits; i++)
        {
            var digit = digest[i] & (DsigParameters.WinternitzDepth - 1);
            digits[i] = (byte)digit;
            checksum += DsigParameters.TopLevel - digit;
        }

        WriteChecksum(checksum, digits);
    }

    /// <summary>The checksum digits of <paramref name="checksum"/> (0..192) in base 4, low first.</summary>
    public static void WriteChecksum(int checksum, Span<byte> digits)
    {
        Debug.Assert(checksum is >= 0 and <= DsigParameters.MessageDigits * DsigParameters.TopLevel);
        for (var i = 0; i < DsigParameters.ChecksumDigits; i++)
        {
            digits[DsigParameters.MessageDigits + i] = (byte)(checksum & 3);
            checksum >>= 2;
        }

        Debug.Assert(checksum == 0, "192 < 4^4: the checksum fits its 4 digits");
    }

    /// <summary>
    /// True when every digit of <paramref name="candidate"/> is at least the matching digit of
    /// <paramref name="observed"/>: the only digits a forger can sign from an observed signature
    /// without inverting the chain hash. With the standard checksum only equal digit strings
    /// dominate (tested as a property).
    /// </summary>
    public static bool Dominates(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> observed)
    {
        for (var i = 0; i < DsigParameters.Chains; i++)
        {
            if (candidate[i] < observed[i])
            {
                return false;
            }
        }

        return true;
    }
}
