using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.Replication.DSig;
using Grid.Replication.DSig.Hashing;

namespace Grid.DSig.Tests;

/// <summary>
/// The message digest against a reference computed here with the general BLAKE3 hasher: the
/// spec's form up to 952 bytes and above 4,096, the four-part form in between (see
/// <c>MessageDigest</c>), with the lengths at every boundary.
/// </summary>
public sealed class MessageDigestTests
{
    private static readonly DsigDomain Domain = new(new NodeId(7), DsigPurpose.AuditReceipt);

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(951)]
    [InlineData(952)]
    [InlineData(953)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(1088)]
    [InlineData(2048)]
    [InlineData(3000)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(10_000)]
    public void Digits_match_the_reference_form_for_the_length(int length)
    {
        var random = new Random(length);
        var (leaf, nonce, message) = (new byte[32], new byte[16], new byte[length]);
        random.NextBytes(leaf);
        random.NextBytes(nonce);
        random.NextBytes(message);

        var digits = new byte[DsigParameters.Chains];
        MessageDigest.Digits(Domain, leaf, nonce, message, digits);

        var expected = new byte[DsigParameters.Chains];
        WotsDigits.FromDigest(Reference(leaf, nonce, message), expected);
        Assert.Equal(expected, digits);
    }

    [Fact]
    public void Four_part_messages_that_differ_anywhere_get_different_digests()
    {
        // Bytes moved across a part boundary, a changed byte in each part, a byte more or less:
        // each must change the digest (a collision here would be a forgery).
        var random = new Random(3);
        var (leaf, nonce) = (new byte[32], new byte[16]);
        random.NextBytes(leaf);
        random.NextBytes(nonce);
        foreach (var length in new[] { 953, 1024, 1500, 4096 })
        {
            var message = new byte[length];
            random.NextBytes(message);
            var digest = Digest(leaf, nonce, message);
            var part = MessageDigest.PartBytes(length);
            var variants = new List<byte[]>();
            for (var boundary = 1; boundary < 4; boundary++)
            {
                var swapped = (byte[])message.Clone();
                (swapped[(boundary * part) - 1], swapped[boundary * part]) =
                    (swapped[boundary * part], swapped[(boundary * part) - 1]);
                if (!swapped.AsSpan().SequenceEqual(message))
                {
                    variants.Add(swapped);
                }
            }

            for (var k = 0; k < 4; k++)
            {
                var changed = (byte[])message.Clone();
                changed[Math.Min(length - 1, (k * part) + 5)] ^= 0x80;
                variants.Add(changed);
            }

            variants.Add(message[..^1]);
            variants.Add([.. message, 0]);
            foreach (var variant in variants)
            {
                Assert.NotEqual(digest, Digest(leaf, nonce, variant));
            }
        }
    }

    [Fact]
    public void The_last_part_is_the_shortest_and_never_empty()
    {
        for (var length = MessageDigest.OneChunkMessageMax + 1; length <= MessageDigest.FourPartMessageMax; length++)
        {
            var part = MessageDigest.PartBytes(length);
            var last = length - (3 * part);
            Assert.InRange(part, 1, Blake3Compression.MaxPartBytes);
            Assert.InRange(last, 1, part);
        }
    }

    private static byte[] Digest(byte[] leaf, byte[] nonce, byte[] message)
    {
        var digest = new byte[DsigParameters.DigestBytes];
        if (message.Length > MessageDigest.OneChunkMessageMax && message.Length <= MessageDigest.FourPartMessageMax)
        {
            MessageDigest.FourPartDigest(Domain, leaf, nonce, message, digest);
            return digest;
        }

        return Reference(leaf, nonce, message);
    }

    /// <summary>The digest written out from the documented forms with the streaming hasher.</summary>
    private static byte[] Reference(byte[] leaf, byte[] nonce, byte[] message)
    {
        var domain = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(domain, Domain.Signer.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(domain.AsSpan(4), Domain.Purpose.Value);
        var hasher = Blake3Hasher.Create();
        if (message.Length is > 952 and <= 4096)
        {
            hasher.Update("DSIG-MP4"u8);
            hasher.Update(domain);
            hasher.Update(leaf);
            hasher.Update(nonce);
            var part = 64 * ((message.Length + 255) / 256);
            for (var k = 0; k < 4; k++)
            {
                var slice = message.AsSpan(k * part, k < 3 ? part : message.Length - (3 * part));
                var hash = new byte[32];
                Blake3Hasher.Hash(slice, hash);
                hasher.Update(hash);
            }
        }
        else
        {
            hasher.Update("grid-dsig-msg-v1"u8);
            hasher.Update(domain);
            hasher.Update(leaf);
            hasher.Update(nonce);
            hasher.Update(message);
        }

        var digest = new byte[DsigParameters.DigestBytes];
        hasher.Finalize(digest);
        return digest;
    }
}
