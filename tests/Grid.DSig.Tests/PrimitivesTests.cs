using Grid.Replication.DSig;
using Grid.Replication.DSig.Hashing;

namespace Grid.DSig.Tests;

public class PrimitivesTests
{
    [Fact]
    public void The_wire_format_is_frozen()
    {
        Assert.Equal(1584, DsigParameters.SignatureBytes);
        Assert.Equal(
            [0, 16, 48, 272, 336, 344, 360],
            new[]
            {
                DsigSignatureLayout.PkNonceOffset, DsigSignatureLayout.LeafOffset, DsigSignatureLayout.PathOffset,
                DsigSignatureLayout.RootSignatureOffset, DsigSignatureLayout.IndexOffset,
                DsigSignatureLayout.NonceOffset, DsigSignatureLayout.ChainsOffset,
            });
        Assert.Equal(4168, DsigParameters.BatchMessageBytes);
        Assert.Equal(4896, DsigParameters.SecretKeyBytes);
        Assert.Equal(68, DsigParameters.Chains);
    }

    [Fact]
    public void The_chain_hash_is_Haraka512_of_the_tweaked_block_truncated_to_18_bytes()
    {
        var random = new Random(3);
        var pkNonce = new byte[16];
        var value = new byte[18];
        var output = new byte[18];
        var expected = new byte[32];
        for (var trial = 0; trial < 200; trial++)
        {
            random.NextBytes(pkNonce);
            random.NextBytes(value);
            var chain = random.Next(68);
            var level = random.Next(3);
            ChainHash.Hash(pkNonce, value, chain, level, output);

            var block = new byte[64];
            pkNonce.CopyTo(block, 0);
            var tweaked = BitConverter.ToUInt32(pkNonce, 0) + (uint)(chain + (68 * level));
            BitConverter.GetBytes(tweaked).CopyTo(block, 0);
            value.CopyTo(block, 16);
            Haraka.Haraka512(block, expected);
            Assert.Equal(expected.AsSpan(0, 18).ToArray(), output);
        }
    }

    [Fact]
    public void Paired_chain_steps_equal_single_steps()
    {
        var random = new Random(4);
        var pkNonce = new byte[16];
        var a = new byte[18];
        var b = new byte[18];
        random.NextBytes(pkNonce);
        random.NextBytes(a);
        random.NextBytes(b);
        var salt = System.Runtime.Intrinsics.Vector128.Create(pkNonce);
        ChainHash.Load(a, out var headA, out var tailA);
        ChainHash.Load(b, out var headB, out var tailB);
        // Chain 11 starts one level up: the pair then walks 10 from 0 and 11 from 1.
        var (h0, t0) = (headA, tailA);
        var (h1, t1) = (headB, tailB);
        ChainHash.Walk(salt, ref h1, ref t1, 11, 0, 1);
        for (var level = 0; level < 2; level++)
        {
            ChainHash.StepPair(salt, 10, level, ref h0, ref t0, 11, level + 1, ref h1, ref t1);
        }

        ChainHash.Walk(salt, ref h0, ref t0, 10, 2, 3);
        ChainHash.Walk(salt, ref headA, ref tailA, 10, 0, 3);
        ChainHash.Walk(salt, ref headB, ref tailB, 11, 0, 3);
        Assert.Equal((headA, tailA, headB, tailB), (h0, t0, h1, t1));
    }

    [Fact]
    public void Every_leaf_path_leads_to_the_root()
    {
        var nodes = new byte[DsigParameters.TreeNodes * 32];
        new Random(8).NextBytes(nodes.AsSpan(0, 128 * 32));
        MerkleTree.Build(nodes);
        var root = nodes.AsSpan(MerkleTree.RootNode * 32, 32).ToArray();
        var path = new byte[7 * 32];
        var computed = new byte[32];
        for (var leaf = 0; leaf < 128; leaf++)
        {
            MerkleTree.WritePath(nodes, leaf, path);
            Assert.True(MerkleTree.PathMatches(nodes, leaf, path));
            MerkleTree.RootFromPath(nodes.AsSpan(leaf * 32, 32), leaf, path, computed);
            Assert.Equal(root, computed);
            MerkleTree.RootFromPath(nodes.AsSpan(leaf * 32, 32), leaf ^ 1, path, computed);
            Assert.NotEqual(root, computed);
        }
    }

    [Fact]
    public void The_checksum_digits_are_base_4_of_the_standard_sum()
    {
        var digest = new byte[64];
        var digits = new byte[68];
        WotsDigits.FromDigest(digest, digits);
        Assert.Equal([0, 0, 0, 3], digits[64..]); // 64 · 3 = 192 = 3·4³
        digest.AsSpan().Fill(3);
        WotsDigits.FromDigest(digest, digits);
        Assert.Equal([0, 0, 0, 0], digits[64..]);
        digest[0] = 2;
        WotsDigits.FromDigest(digest, digits);
        Assert.Equal([1, 0, 0, 0], digits[64..]);
    }
}
