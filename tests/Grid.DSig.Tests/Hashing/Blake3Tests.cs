using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Grid.Replication.DSig.Hashing;
using Org.BouncyCastle.Crypto.Digests;

namespace Grid.DSig.Tests.Hashing;

public class Blake3Tests
{
    private const int ExtendedOutputBytes = 131;

    public static TheoryData<int> VectorLengths()
    {
        var data = new TheoryData<int>();
        foreach (var vector in LoadVectors().Cases)
        {
            data.Add(vector.InputLength);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorLengths))]
    public void Official_test_vectors_hash_keyed_hash_and_derive_key(int inputLength)
    {
        var vectors = LoadVectors();
        var vector = vectors.Cases.Single(c => c.InputLength == inputLength);
        var input = new byte[inputLength];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        Assert.Equal(vector.Hash, Run(Blake3Hasher.Create(), input, ExtendedOutputBytes));
        Assert.Equal(vector.Hash[..64], Run(Blake3Hasher.Create(), input, 32));
        if (inputLength <= Blake3Hasher.ChunkBytes)
        {
            var single = new byte[64];
            Blake3Compression.HashSingleChunk(input, single);
            Assert.Equal(vector.Hash[..128], Convert.ToHexStringLower(single));
        }

        if (inputLength <= 2 * Blake3Hasher.ChunkBytes)
        {
            var two = new byte[64];
            Blake3Compression.HashTwoChunks(input, two);
            Assert.Equal(vector.Hash[..128], Convert.ToHexStringLower(two));
        }

        if (inputLength == 64)
        {
            var one = new byte[32];
            Blake3Compression.HashOneBlock(input, one);
            Assert.Equal(vector.Hash[..64], Convert.ToHexStringLower(one));
        }

        var key = Encoding.ASCII.GetBytes(vectors.Key);
        Assert.Equal(vector.KeyedHash, Run(Blake3Hasher.CreateKeyed(key), input, ExtendedOutputBytes));
        var context = Encoding.ASCII.GetBytes(vectors.ContextString);
        Assert.Equal(
            vector.DeriveKey, Run(Blake3Hasher.CreateDeriveKey(context), input, ExtendedOutputBytes));
    }

    [Fact]
    public void Input_split_anywhere_hashes_the_same()
    {
        var input = new byte[3000];
        new Random(7).NextBytes(input);
        var whole = Run(Blake3Hasher.Create(), input, 64);
        foreach (var split in new[] { 0, 1, 63, 64, 65, 1023, 1024, 1025, 2047, 2048, 2999, 3000 })
        {
            var hasher = Blake3Hasher.Create();
            hasher.Update(input.AsSpan(0, split));
            hasher.Update(input.AsSpan(split));
            var output = new byte[64];
            hasher.Finalize(output);
            Assert.Equal(whole, Convert.ToHexStringLower(output));
        }
    }

    [Fact]
    public void Agrees_with_BouncyCastle_on_random_inputs_and_output_lengths()
    {
        var property = Prop.ForAll(
            Gen.Choose(0, 5000).Zip(Gen.Choose(1, 200)).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(),
            t =>
            {
                var ((length, outputLength), seed) = t;
                var input = new byte[length];
                new Random(seed).NextBytes(input);
                var reference = new Blake3Digest(outputLength * 8);
                reference.BlockUpdate(input);
                var expected = new byte[outputLength];
                reference.OutputFinal(expected);
                return Run(Blake3Hasher.Create(), input, outputLength) == Convert.ToHexStringLower(expected);
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true), property);
    }

    [Fact]
    public void The_portable_rounds_equal_the_accelerated_ones()
    {
        var random = new Random(9);
        var block = new byte[64];
        var words = new uint[12];
        for (var i = 0; i < 5_000; i++)
        {
            random.NextBytes(block);
            for (var w = 0; w < words.Length; w++)
            {
                words[w] = (uint)random.NextInt64();
            }

            var cv0 = System.Runtime.Intrinsics.Vector128.Create(words[0], words[1], words[2], words[3]);
            var cv1 = System.Runtime.Intrinsics.Vector128.Create(words[4], words[5], words[6], words[7]);
            var d = System.Runtime.Intrinsics.Vector128.Create(words[8], words[9], words[10], words[11]);
            Blake3Compression.Rounds7(cv0, cv1, block, words[8] | ((ulong)words[9] << 32), words[10], words[11],
                out var a, out var b, out var c, out var e);
            Blake3Compression.Rounds7Portable(cv0, cv1, block, d, out var pa, out var pb, out var pc, out var pe);
            Assert.Equal((a, b, c, e), (pa, pb, pc, pe));
        }
    }

    [Fact]
    public void Paired_compressions_equal_two_single_ones()
    {
        var random = new Random(10);
        var blockA = new byte[64];
        var blockB = new byte[64];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(blockA);
            random.NextBytes(blockB);
            var a0 = System.Runtime.Intrinsics.Vector128.Create((uint)random.Next(), 1, 2, 3);
            var a1 = System.Runtime.Intrinsics.Vector128.Create(4u, (uint)random.Next(), 6, 7);
            var b0 = System.Runtime.Intrinsics.Vector128.Create(8u, 9, (uint)random.Next(), 11);
            var b1 = System.Runtime.Intrinsics.Vector128.Create(12u, 13, 14, (uint)random.Next());
            var (counterA, counterB) = ((ulong)random.NextInt64(), (ulong)random.NextInt64());
            var (lengthA, lengthB) = ((uint)random.Next(65), (uint)random.Next(65));
            var (flagsA, flagsB) = ((uint)random.Next(128), (uint)random.Next(128));
            var (x0, x1, y0, y1) = (a0, a1, b0, b1);
            Blake3Compression.ChainingValuePair(
                ref x0, ref x1, blockA, counterA, lengthA, flagsA, ref y0, ref y1, blockB, counterB, lengthB, flagsB);
            Blake3Compression.ChainingValue(ref a0, ref a1, blockA, counterA, lengthA, flagsA);
            Blake3Compression.ChainingValue(ref b0, ref b1, blockB, counterB, lengthB, flagsB);
            Assert.Equal((a0, a1, b0, b1), (x0, x1, y0, y1));
        }
    }

    [Fact]
    public void Four_parts_hashed_side_by_side_equal_four_hashes()
    {
        // Every mix of block counts (a part that ends early, an empty part, partial last
        // blocks), compared with the hasher, itself checked against the official vectors.
        var random = new Random(13);
        int[] lengths = [0, 1, 63, 64, 65, 128, 185, 256, 320, 700, 1023, 1024];
        for (var i = 0; i < 400; i++)
        {
            var parts = Enumerable.Range(0, 4).Select(_ =>
            {
                var part = new byte[i < 200 ? lengths[random.Next(lengths.Length)] : random.Next(1025)];
                random.NextBytes(part);
                return part;
            }).ToArray();
            var hashes = new byte[128];
            Blake3Compression.HashFourParts(parts[0], parts[1], parts[2], parts[3], hashes);
            for (var k = 0; k < 4; k++)
            {
                var expected = new byte[32];
                Blake3Hasher.Hash(parts[k], expected);
                Assert.Equal(expected, hashes[(32 * k)..(32 * (k + 1))]);
            }
        }

        Assert.Throws<ArgumentException>(() => Blake3Compression.HashFourParts(
            new byte[1025], [], [], [], new byte[128]));
        Assert.Throws<ArgumentException>(() => Blake3Compression.HashFourParts([], [], [], [], new byte[127]));
    }

    [Fact]
    public void Two_inputs_hashed_side_by_side_equal_two_hashes()
    {
        var random = new Random(12);
        foreach (var length in new[] { 1025, 1087, 1088, 1240, 1600, 2047, 2048 })
        {
            var a = new byte[length];
            var b = new byte[length];
            random.NextBytes(a);
            random.NextBytes(b);
            var (pairA, pairB, singleA, singleB) = (new byte[32], new byte[32], new byte[32], new byte[32]);
            Blake3Compression.HashTwoChunksPair(a, pairA, b, pairB);
            Blake3Hasher.Hash(a, singleA);
            Blake3Hasher.Hash(b, singleB);
            Assert.Equal(singleA, pairA);
            Assert.Equal(singleB, pairB);
        }
    }

    private static string Run(Blake3Hasher hasher, byte[] input, int outputLength)
    {
        hasher.Update(input);
        var output = new byte[outputLength];
        hasher.Finalize(output);
        return Convert.ToHexStringLower(output);
    }

    private static Vectors LoadVectors()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "blake3_test_vectors.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray()
            .Select(c => new Vector(
                c.GetProperty("input_len").GetInt32(),
                c.GetProperty("hash").GetString()!,
                c.GetProperty("keyed_hash").GetString()!,
                c.GetProperty("derive_key").GetString()!))
            .ToList();
        return new Vectors(
            root.GetProperty("key").GetString()!, root.GetProperty("context_string").GetString()!, cases);
    }

    private sealed record Vector(int InputLength, string Hash, string KeyedHash, string DeriveKey);

    private sealed record Vectors(string Key, string ContextString, IReadOnlyList<Vector> Cases);
}
