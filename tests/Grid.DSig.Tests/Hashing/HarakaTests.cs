using System.Runtime.Intrinsics;
using Grid.Replication.DSig.Hashing;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Grid.DSig.Tests.Hashing;

public class HarakaTests
{
    // Haraka v2's published test vectors: input bytes 0, 1, ..., n-1.
    private const string Haraka512Vector =
        "be7f723b4e80a99813b292287f306f625a6d57331cae5f34dd9277b0945be2aa";

    private const string Haraka256Vector =
        "8027ccb87949774b78d0545fb72bf70c695c2a0923cbd47bba1159efbf2b2c1c";

    public static TheoryData<bool> Implementations() => X86Aes.IsSupported ? [false, true] : [true];

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Haraka512_matches_the_published_vector(bool software)
    {
        var output = new byte[32];
        Haraka.Haraka512(Counting(64), output, software);
        Assert.Equal(Haraka512Vector, Convert.ToHexStringLower(output));
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Haraka256_matches_the_published_vector(bool software)
    {
        var output = new byte[32];
        Haraka.Haraka256(Counting(32), output, software);
        Assert.Equal(Haraka256Vector, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Software_AES_round_equals_AESENC_on_random_states()
    {
        Assert.SkipUnless(X86Aes.IsSupported, "no AES-NI on this CPU to compare with");
        var random = new Random(11);
        var bytes = new byte[32];
        for (var i = 0; i < 10_000; i++)
        {
            random.NextBytes(bytes);
            var state = Vector128.Create(bytes.AsSpan(0, 16));
            var key = Vector128.Create(bytes.AsSpan(16, 16));
            Assert.Equal(X86Aes.Encrypt(state, key), SoftwareAes.EncryptRound(state, key));
        }
    }

    [Fact]
    public void Software_and_hardware_Haraka512_agree_on_random_inputs()
    {
        Assert.SkipUnless(X86Aes.IsSupported, "no AES-NI on this CPU to compare with");
        var random = new Random(12);
        var input = new byte[64];
        var hardware = new byte[32];
        var software = new byte[32];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(input);
            Haraka.Haraka512(input, hardware, software: false);
            Haraka.Haraka512(input, software, software: true);
            Assert.Equal(hardware, software);
        }
    }

    [Fact]
    public void The_sbox_is_the_AES_sbox()
    {
        Assert.Equal(0x63, SoftwareAes.SBox[0x00]);
        Assert.Equal(0x7C, SoftwareAes.SBox[0x01]);
        Assert.Equal(0xED, SoftwareAes.SBox[0x53]);
        Assert.Equal(0x16, SoftwareAes.SBox[0xFF]);
        Assert.Equal(256, SoftwareAes.SBox.Distinct().Count());
    }

    private static byte[] Counting(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)i)];
}
