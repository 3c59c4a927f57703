using System.Runtime.Intrinsics;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// The 40 round constants of Haraka v2 (ePrint 2016/098) as its authors publish them,
/// four 32-bit words each, most significant word first as the Haraka paper and its reference
/// implementation print them (<c>_mm_set_epi32</c> order).
/// </summary>
internal static class HarakaConstants
{
    private static readonly uint[] Words =
    [
        0x0684704C, 0xE620C00A, 0xB2C5FEF0, 0x75817B9D,
        0x8B66B4E1, 0x88F3A06B, 0x640F6BA4, 0x2F08F717,
        0x3402DE2D, 0x53F28498, 0xCF029D60, 0x9F029114,
        0x0ED6EAE6, 0x2E7B4F08, 0xBBF3BCAF, 0xFD5B4F79,
        0xCBCFB0CB, 0x4872448B, 0x79EECD1C, 0xBE397044,
        0x7EEACDEE, 0x6E9032B7, 0x8D5335ED, 0x2B8A057B,
        0x67C28F43, 0x5E2E7CD0, 0xE2412761, 0xDA4FEF1B,
        0x2924D9B0, 0xAFCACC07, 0x675FFDE2, 0x1FC70B3B,
        0xAB4D63F1, 0xE6867FE9, 0xECDB8FCA, 0xB9D465EE,
        0x1C30BF84, 0xD4B7CD64, 0x5B2A404F, 0xAD037E33,
        0xB2CC0BB9, 0x941723BF, 0x69028B2E, 0x8DF69800,
        0xFA0478A6, 0xDE6F5572, 0x4AAA9EC8, 0x5C9D2D8A,
        0xDFB49F2B, 0x6B772A12, 0x0EFA4F2E, 0x29129FD4,
        0x1EA10344, 0xF449A236, 0x32D611AE, 0xBB6A12EE,
        0xAF044988, 0x4B050084, 0x5F9600C9, 0x9CA8ECA6,
        0x21025ED8, 0x9D199C4F, 0x78A2C7E3, 0x27E593EC,
        0xBF3AAAF8, 0xA759C9B7, 0xB9282ECD, 0x82D40173,
        0x6260700D, 0x6186B017, 0x37F2EFD9, 0x10307D6B,
        0x5ACA45C2, 0x21300443, 0x81C29153, 0xF6FC9AC6,
        0x9223973C, 0x226B68BB, 0x2CAF92E8, 0x36D1943A,
        0xD3BF9238, 0x225886EB, 0x6CBAB958, 0xE51071B4,
        0xDB863CE5, 0xAEF0C677, 0x933DFDDD, 0x24E1128D,
        0xBB606268, 0xFFEBA09C, 0x83E48DE3, 0xCB2212B1,
        0x734BD3DC, 0xE2E4D19C, 0x2DB91A4E, 0xC72BF77D,
        0x43BB47C3, 0x61301B43, 0x4B1415C4, 0x2CB3924E,
        0xDBA775A8, 0xE707EFF6, 0x03B231DD, 0x16EB6899,
        0x6DF3614B, 0x3C755977, 0x8E5E2302, 0x7ECA472C,
        0xCDA75A17, 0xD6DE7D77, 0x6D1BE5B9, 0xB88617F9,
        0xEC6B43F0, 0x6BA8E9AA, 0x9D6C069D, 0xA946EE5D,
        0xCB1E6950, 0xF957332B, 0xA2531159, 0x3BF327C1,
        0x2CEE0C75, 0x00DA619C, 0xE4ED0353, 0x600ED0D9,
        0xF0B1A5A1, 0x96E90CAB, 0x80BBBABC, 0x63A4A350,
        0xAE3DB102, 0x5E962988, 0xAB0DDE30, 0x938DCA39,
        0x17BB8F38, 0xD554A40B, 0x8814F3A8, 0x2E75B442,
        0x34BB8A5B, 0x5F427FD7, 0xAEB6B779, 0x360A16F6,
        0x26F65241, 0xCBE55438, 0x43CE5918, 0xFFBAAFDE,
        0x4CE99A54, 0xB9F3026A, 0xA2CA9CF7, 0x839EC978,
        0xAE51A51A, 0x1BDFF7BE, 0x40C06E28, 0x22901235,
        0xA0C1613C, 0xBA7ED22B, 0xC173BC0F, 0x48A659CF,
        0x756ACC03, 0x02288288, 0x4AD6BDFD, 0xE9C59DA1,
    ];

    // Declared after Words: static fields initialise in textual order.
    /// <summary>Round constant k as an AES round key: its bytes in memory order.</summary>
    public static readonly Vector128<byte>[] Round = Build();

    private static Vector128<byte>[] Build()
    {
        var round = new Vector128<byte>[Words.Length / 4];
        for (var k = 0; k < round.Length; k++)
        {
            // _mm_set_epi32(e3, e2, e1, e0) puts e0 in the lowest (first) word.
            round[k] = Vector128.Create(
                Words[(4 * k) + 3], Words[(4 * k) + 2], Words[(4 * k) + 1], Words[4 * k]).AsByte();
        }

        return round;
    }
}
