using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Grid.RdmaTransport;
using Grid.Replication.DSig;

namespace Grid.DSig.Tests;

/// <summary>
/// Every field of a signature is bound (specs/dsig.md §5.2, §5.3): changing any byte of it, or
/// the message, the claimed signer or the purpose, is rejected on the fast path and on the slow
/// path alike.
/// </summary>
public sealed class TamperingTests : IDisposable
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("order 42: buy 100 ACME at 17");

    private readonly DsigCluster _cluster = new(3);
    private readonly byte[] _signature;

    public TamperingTests()
    {
        var group = _cluster.Signers[0].Group([DsigCluster.Id(1)]);
        _cluster.Signers[1].Group([DsigCluster.Id(0)]);
        _cluster.Settle();
        _signature = _cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);
        Assert.Equal(DsigVerifyPath.Fast, Fast.VerifyDetailed(Message, _signature, Signer, DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Slow, Slow.VerifyDetailed(Message, _signature, Signer, DsigPurpose.Test));
    }

    public static TheoryData<string, int, int> Fields() => new()
    {
        { "pk_nonce", DsigSignatureLayout.PkNonceOffset, DsigParameters.NonceBytes },
        { "leaf", DsigSignatureLayout.LeafOffset, DsigParameters.HashBytes },
        { "path", DsigSignatureLayout.PathOffset, DsigParameters.TreeDepth * DsigParameters.HashBytes },
        { "root signature", DsigSignatureLayout.RootSignatureOffset, DsigParameters.Ed25519SignatureBytes },
        { "index", DsigSignatureLayout.IndexOffset, sizeof(ulong) },
        { "nonce", DsigSignatureLayout.NonceOffset, DsigParameters.NonceBytes },
        { "revealed chain values", DsigSignatureLayout.ChainsOffset, DsigParameters.Chains * DsigParameters.ChainValueBytes },
    };

    private static NodeId Signer => DsigCluster.Id(0);

    private DsigVerifier Fast => _cluster.Verifiers[1];

    private DsigVerifier Slow => _cluster.Verifiers[2];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Flipping_any_bit_of_a_field_is_rejected_on_both_paths(string field, int offset, int length)
    {
        var random = new Random(offset);
        for (var trial = 0; trial < 24; trial++)
        {
            var tampered = (byte[])_signature.Clone();
            var bit = random.Next(length * 8);
            tampered[offset + (bit / 8)] ^= (byte)(1 << (bit % 8));
            Assert.True(Rejected(Message, tampered), $"{field}: bit {bit} flipped was accepted");
        }
    }

    [Fact]
    public void A_signature_moved_to_another_key_position_or_batch_is_rejected()
    {
        foreach (var index in new ulong[] { 0, 1, 127, 128, 129, ulong.MaxValue, DsigSignature.ComposeIndex(2, 0) })
        {
            var tampered = (byte[])_signature.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(tampered.AsSpan(DsigSignatureLayout.IndexOffset), index);
            if (tampered.AsSpan().SequenceEqual(_signature))
            {
                continue;
            }

            Assert.True(Rejected(Message, tampered), $"index {index} accepted");
        }
    }

    [Fact]
    public void A_tampered_message_is_rejected()
    {
        var other = (byte[])Message.Clone();
        other[0] ^= 1;
        Assert.True(Rejected(other, _signature));
        Assert.True(Rejected(Message.AsSpan(1).ToArray(), _signature));
        Assert.True(Rejected([.. Message, 0], _signature));
        Assert.True(Rejected([], _signature));
    }

    [Theory]
    [InlineData(952)]
    [InlineData(953)]
    [InlineData(1024)]
    [InlineData(4096)]
    [InlineData(4097)]
    public void A_tampered_long_message_is_rejected(int length)
    {
        // Around the lengths where the digest changes form (MessageDigest): a flipped byte in
        // each quarter, a byte cut or added, must fail on both paths.
        var message = new byte[length];
        new Random(length).NextBytes(message);
        var group = _cluster.Signers[0].Group([DsigCluster.Id(1)]);
        var signature = _cluster.Signers[0].Sign(message, group, DsigPurpose.Test);
        Assert.False(Rejected(message, signature));
        for (var quarter = 0; quarter < 4; quarter++)
        {
            var other = (byte[])message.Clone();
            other[(quarter * length / 4) + 3] ^= 1;
            Assert.True(Rejected(other, signature), $"a flipped byte in quarter {quarter} was accepted");
        }

        Assert.True(Rejected(message[..^1], signature));
        Assert.True(Rejected([.. message, 0], signature));
    }

    [Fact]
    public void A_signature_claimed_for_another_signer_or_purpose_is_rejected()
    {
        foreach (var verifier in new[] { Fast, Slow })
        {
            Assert.False(verifier.Verify(Message, _signature, DsigCluster.Id(1), DsigPurpose.Test));
            Assert.False(verifier.Verify(Message, _signature, new NodeId(99), DsigPurpose.Test));
            Assert.False(verifier.Verify(Message, _signature, Signer, DsigPurpose.AuditReceipt));
            Assert.False(verifier.CanVerifyFast(_signature, DsigCluster.Id(1)));
        }

        // The signer itself never accepts its own signatures (specs/dsig.md §5.3).
        Assert.False(_cluster.Verifiers[0].Verify(Message, _signature, Signer, DsigPurpose.Test));
    }

    [Fact]
    public void A_leaf_and_path_grafted_from_another_signature_are_rejected()
    {
        var group = _cluster.Signers[0].Group([DsigCluster.Id(1)]);
        var other = _cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);
        var grafted = (byte[])_signature.Clone();
        other.AsSpan(DsigSignatureLayout.LeafOffset, DsigSignatureLayout.IndexOffset + 8 - DsigSignatureLayout.LeafOffset)
            .CopyTo(grafted.AsSpan(DsigSignatureLayout.LeafOffset));
        Assert.True(Rejected(Message, grafted));
    }

    [Fact]
    public void Wrong_lengths_and_garbage_are_rejected_without_exceptions()
    {
        foreach (var length in new[] { 0, 1, 64, DsigParameters.SignatureBytes - 1, DsigParameters.SignatureBytes + 1, 1 << 16 })
        {
            var bytes = new byte[length];
            _signature.AsSpan(0, Math.Min(length, _signature.Length)).CopyTo(bytes);
            Assert.False(DsigSignature.TryParse(bytes, out _));
            Assert.True(Rejected(Message, bytes));
            Assert.False(Fast.CanVerifyFast(bytes, Signer));
        }

        var property = Prop.ForAll(
            Gen.Choose(0, 2 * DsigParameters.SignatureBytes).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(),
            t =>
            {
                var (length, seed) = t;
                var bytes = new byte[length];
                new Random(seed).NextBytes(bytes);
                return Rejected(Message, bytes);
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true), property);
    }

    [Fact]
    public void Tampered_or_misattributed_batches_are_not_cached()
    {
        using var cluster = new DsigCluster(3);
        var batches = new List<byte[]>();
        var capture = new CapturingTransport(batches);
        using var signer = new DsigSigner(
            DsigCluster.Id(0), cluster.KeyOf(0), capture, DsigCluster.SmallSigner());
        var group = signer.Group([DsigCluster.Id(1)]);
        signer.PrepareNow();
        var batch = Assert.Single(batches);
        var verifier = cluster.Verifiers[1];

        var leafFlipped = (byte[])batch.Clone();
        leafFlipped[8 + 5] ^= 1;
        var rootSignatureFlipped = (byte[])batch.Clone();
        rootSignatureFlipped[^1] ^= 1;
        var sequenceChanged = (byte[])batch.Clone();
        sequenceChanged[0] ^= 1;
        verifier.Receive(DsigCluster.Id(0), leafFlipped);
        verifier.Receive(DsigCluster.Id(0), rootSignatureFlipped);
        verifier.Receive(DsigCluster.Id(0), sequenceChanged);
        verifier.Receive(DsigCluster.Id(0), batch[..^1]);
        verifier.Receive(DsigCluster.Id(0), [.. batch, 0]);
        verifier.Receive(DsigCluster.Id(2), batch);     // claimed to come from another signer
        verifier.Receive(new NodeId(77), batch);        // from a process with no known key
        Assert.Equal(0, verifier.PreVerifyPending());
        Assert.Equal(7, verifier.RejectedBatches);
        Assert.Equal(0, verifier.CachedBatches(DsigCluster.Id(0)));

        var signature = signer.Sign(Message, group, DsigPurpose.Test);
        Assert.False(verifier.CanVerifyFast(signature, DsigCluster.Id(0)));
        Assert.Equal(DsigVerifyPath.Slow, verifier.VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
        verifier.Receive(DsigCluster.Id(0), batch);
        Assert.Equal(1, verifier.PreVerifyPending());
        Assert.Equal(DsigVerifyPath.Fast, verifier.VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public void Signatures_of_exactly_the_wire_length_with_random_contents_are_rejected()
    {
        // Garbage of the right length passes the length check and reaches the field parsing,
        // the cache lookup and the chain walk: all must say no, never throw.
        var property = Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var garbage = new byte[DsigParameters.SignatureBytes];
            random.NextBytes(garbage);
            var header = (byte[])_signature.Clone();
            random.NextBytes(header.AsSpan(DsigSignatureLayout.ChainsOffset));
            var index = (byte[])_signature.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(DsigSignatureLayout.IndexOffset), (ulong)random.NextInt64());
            return Rejected(Message, garbage) && Rejected(Message, header) && Rejected(Message, index);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true), property);
    }

    [Fact]
    public void A_byte_changed_anywhere_in_a_batch_keeps_it_out_of_the_cache()
    {
        using var cluster = new DsigCluster(2);
        var batches = new List<byte[]>();
        using var signer = new DsigSigner(
            DsigCluster.Id(0), cluster.KeyOf(0), new CapturingTransport(batches), DsigCluster.SmallSigner());
        signer.Group([DsigCluster.Id(1)]);
        signer.PrepareNow();
        var batch = Assert.Single(batches);
        var verifier = cluster.Verifiers[1];
        var random = new Random(5);
        const int trials = 64;
        for (var trial = 0; trial < trials; trial++)
        {
            // Positions spread over the sequence, every leaf region and the root signature.
            var position = trial < 8 ? trial : random.Next(batch.Length);
            var tampered = (byte[])batch.Clone();
            tampered[position] ^= (byte)(1 << random.Next(8));
            verifier.Receive(DsigCluster.Id(0), tampered);
            Assert.Equal(0, verifier.PreVerifyPending());
        }

        Assert.Equal(trials, verifier.RejectedBatches);
        Assert.Equal(0, verifier.CachedBatches(DsigCluster.Id(0)));
    }

    [Fact]
    public void A_process_sharing_another_s_key_cannot_sign_or_ship_batches_in_its_name()
    {
        // Two processes configured with one Ed25519 key (a copied key file): the signer id in the
        // root statement and in the digest still tells them apart (specs/dsig.md §10).
        using var key = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        var a = DsigCluster.Id(0);
        var b = DsigCluster.Id(1);
        var directory = new DsigKeyDirectory();
        directory.Add(a, key.PublicKey);
        directory.Add(b, key.PublicKey);
        using var fast = new DsigVerifier(DsigCluster.Id(2), directory);
        using var slow = new DsigVerifier(DsigCluster.Id(3), directory);
        var batches = new List<byte[]>();
        using var signer = new DsigSigner(a, key, new CapturingTransport(batches), DsigCluster.SmallSigner());
        var group = signer.Group([DsigCluster.Id(2)]);
        signer.PrepareNow();
        var batch = Assert.Single(batches);
        fast.Receive(a, batch);
        fast.Receive(b, batch);     // relayed as if b had made it
        Assert.Equal(1, fast.PreVerifyPending());
        Assert.Equal(1, fast.RejectedBatches);
        Assert.Equal(0, fast.CachedBatches(b));

        var signature = signer.Sign(Message, group, DsigPurpose.Test);
        Assert.Equal(DsigVerifyPath.Fast, fast.VerifyDetailed(Message, signature, a, DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Slow, slow.VerifyDetailed(Message, signature, a, DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Rejected, fast.VerifyDetailed(Message, signature, b, DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Rejected, slow.VerifyDetailed(Message, signature, b, DsigPurpose.Test));
        Assert.False(fast.CanVerifyFast(signature, b));
    }

    public void Dispose() => _cluster.Dispose();

    private bool Rejected(byte[] message, byte[] signature) =>
        Fast.VerifyDetailed(message, signature, Signer, DsigPurpose.Test) == DsigVerifyPath.Rejected
        && Slow.VerifyDetailed(message, signature, Signer, DsigPurpose.Test) == DsigVerifyPath.Rejected
        && !Fast.VerifySlow(message, signature, Signer, DsigPurpose.Test, rememberRoots: false);
}
