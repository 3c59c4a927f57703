using FsCheck;
using FsCheck.Fluent;
using Grid.RdmaTransport;
using Grid.Replication.DSig;

namespace Grid.DSig.Tests;

/// <summary>
/// The checksum property (specs/dsig.md §6): a signature reveals chain level dᵢ and anyone can
/// hash upward, so a forger can sign exactly the digit strings that dominate an observed one.
/// With the standard checksum Σ(w−1−dᵢ) no other digit string dominates; the published code's
/// Σ dᵢ fails this, which the negative control shows.
/// </summary>
public class ChecksumPropertyTests
{
    private const int Runs = 2_000;

    [Fact]
    public void Raising_any_one_message_digit_by_any_amount_never_dominates()
    {
        // Exhaustive over the forger's smallest moves: for each observed digest, every message
        // digit raised by every amount it allows. Under the published Σ dᵢ most of these dominate.
        var property = Prop.ForAll(Digests().ToArbitrary(), observed =>
        {
            var observedDigits = new byte[DsigParameters.Chains];
            var candidateDigits = new byte[DsigParameters.Chains];
            WotsDigits.FromDigest(observed, observedDigits);
            var candidate = new byte[DsigParameters.DigestBytes];
            for (var position = 0; position < DsigParameters.MessageDigits; position++)
            {
                for (var raised = observedDigits[position] + 1; raised <= DsigParameters.TopLevel; raised++)
                {
                    observed.CopyTo(candidate, 0);
                    candidate[position] = (byte)((observed[position] & ~3) | raised);
                    WotsDigits.FromDigest(candidate, candidateDigits);
                    if (WotsDigits.Dominates(candidateDigits, observedDigits))
                    {
                        return false;
                    }
                }
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Runs).WithQuietOnSuccess(true), property);
    }

    [Fact]
    public void Raising_any_message_digits_never_dominates_with_the_standard_checksum()
    {
        // The adversarial case: the candidate's message digits are the observed ones, raised.
        var property = Prop.ForAll(Digests().Zip(Gen.Choose(1, 64)).Zip(Gen.Choose(0, int.MaxValue)).ToArbitrary(), t =>
        {
            var ((observed, raised), seed) = t;
            var random = new Random(seed);
            var candidate = (byte[])observed.Clone();
            var changed = 0;
            for (var i = 0; i < raised; i++)
            {
                var position = random.Next(64);
                if ((candidate[position] & 3) < 3)
                {
                    candidate[position]++;
                    changed++;
                }
            }

            var observedDigits = new byte[DsigParameters.Chains];
            var candidateDigits = new byte[DsigParameters.Chains];
            WotsDigits.FromDigest(observed, observedDigits);
            WotsDigits.FromDigest(candidate, candidateDigits);
            return changed == 0 || !WotsDigits.Dominates(candidateDigits, observedDigits);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Runs).WithQuietOnSuccess(true), property);
    }

    [Fact]
    public void Negative_control_the_sum_of_digits_checksum_lets_raised_digits_dominate()
    {
        var observed = new byte[64];
        var candidate = new byte[64];
        candidate[0] = 1;
        Assert.True(Dominates(WithSumChecksum(candidate), WithSumChecksum(observed)));

        var standardObserved = new byte[DsigParameters.Chains];
        var standardCandidate = new byte[DsigParameters.Chains];
        WotsDigits.FromDigest(observed, standardObserved);
        WotsDigits.FromDigest(candidate, standardCandidate);
        Assert.False(WotsDigits.Dominates(standardCandidate, standardObserved));
    }

    [Fact]
    public void Forgeries_built_by_hashing_an_observed_signature_upward_are_rejected()
    {
        // What an attacker can do: keep the observed batch credential, pick a message and a
        // nonce, and hash each revealed value up to the new digit where it is higher.
        using var cluster = new DsigCluster(2);
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        cluster.Settle();
        var observed = cluster.Signers[0].Sign("pay 1"u8, group, DsigPurpose.Test);
        Assert.True(DsigSignature.TryParse(observed, out var parsed));
        var observedDigits = new byte[DsigParameters.Chains];
        MessageDigest.Digits(
            new DsigDomain(DsigCluster.Id(0), DsigPurpose.Test), parsed.Leaf, parsed.Nonce, "pay 1"u8, observedDigits);
        var pkNonce = parsed.PkNonce.ToArray();

        var property = Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var message = new byte[random.Next(1, 40)];
            random.NextBytes(message);
            var forged = (byte[])observed.Clone();
            random.NextBytes(forged.AsSpan(DsigSignatureLayout.NonceOffset, DsigParameters.NonceBytes));
            var digits = new byte[DsigParameters.Chains];
            Assert.True(DsigSignature.TryParse(forged, out var candidate));
            MessageDigest.Digits(
                new DsigDomain(DsigCluster.Id(0), DsigPurpose.Test), candidate.Leaf, candidate.Nonce, message, digits);
            for (var chain = 0; chain < DsigParameters.Chains; chain++)
            {
                var value = forged.AsSpan(DsigSignatureLayout.ChainsOffset + (chain * DsigParameters.ChainValueBytes), DsigParameters.ChainValueBytes);
                for (var level = observedDigits[chain]; level < digits[chain]; level++)
                {
                    ChainHash.Hash(pkNonce, value.ToArray(), chain, level, value);
                }
            }

            return !WotsDigits.Dominates(digits, observedDigits)
                && !cluster.Verifiers[1].Verify(message, forged, DsigCluster.Id(0), DsigPurpose.Test);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true), property);
    }

    [Fact]
    public void A_forger_hashing_revealed_values_upward_never_recomputes_the_leaf()
    {
        // The attack of §6 at the one-time-key level, where the forger picks the digits: take an
        // observed signature, raise one message digit, hash every revealed value up to the new
        // digit where it is higher (keeping it where it would have to go down), and recompute
        // the leaf as a verifier would. Reaching the real leaf is a forgery of that key; with
        // the standard checksum it never happens, with Σ dᵢ it does for most observations.
        using var cluster = new DsigCluster(2);
        var signer = cluster.Signers[0];
        var group = signer.Group([DsigCluster.Id(1)]);
        cluster.Settle();
        var domain = new DsigDomain(DsigCluster.Id(0), DsigPurpose.Test);
        var observedDigits = new byte[DsigParameters.Chains];
        var candidateDigits = new byte[DsigParameters.Chains];
        var candidateDigest = new byte[DsigParameters.DigestBytes];
        var attempts = 0;
        for (var i = 0; i < 40; i++)
        {
            var message = BitConverter.GetBytes(i);
            var observed = signer.Sign(message, group, DsigPurpose.Test);
            Assert.True(DsigSignature.TryParse(observed, out var parsed));
            MessageDigest.Digits(domain, parsed.Leaf, parsed.Nonce, message, observedDigits);
            var pkNonce = parsed.PkNonce.ToArray();
            var revealed = parsed.ChainValues.ToArray();
            var realLeaf = parsed.Leaf.ToArray();

            // Control: with the observed digits themselves the forger's arithmetic is the verifier's.
            Assert.Equal(realLeaf, LeafFromRaisedValues(pkNonce, revealed, observedDigits, observedDigits));
            for (var position = 0; position < DsigParameters.MessageDigits; position++)
            {
                if (observedDigits[position] == DsigParameters.TopLevel)
                {
                    continue;
                }

                // A digest whose digits are the observed ones with this one raised by 1.
                observedDigits.AsSpan(0, DsigParameters.MessageDigits).CopyTo(candidateDigest);
                candidateDigest[position]++;
                WotsDigits.FromDigest(candidateDigest, candidateDigits);
                attempts++;
                Assert.False(
                    realLeaf.AsSpan().SequenceEqual(LeafFromRaisedValues(pkNonce, revealed, observedDigits, candidateDigits)),
                    $"signature {i}: raising digit {position} forged its one-time key");
            }
        }

        Assert.True(attempts > 1_000, $"only {attempts} forgery attempts");
    }

    /// <summary>
    /// What a forger can compute from revealed values at <paramref name="observed"/> levels for
    /// <paramref name="target"/> digits: values hashed up where the target is higher, then the
    /// verifier's walk to the tops and the leaf.
    /// </summary>
    private static byte[] LeafFromRaisedValues(byte[] pkNonce, byte[] revealed, byte[] observed, byte[] target)
    {
        const int v = DsigParameters.ChainValueBytes;
        var tops = new byte[DsigParameters.Chains * v];
        for (var chain = 0; chain < DsigParameters.Chains; chain++)
        {
            var value = revealed.AsSpan(chain * v, v).ToArray();
            for (int level = observed[chain]; level < target[chain]; level++)
            {
                ChainHash.Hash(pkNonce, value.ToArray(), chain, level, value);
            }

            for (int level = target[chain]; level < DsigParameters.TopLevel; level++)
            {
                ChainHash.Hash(pkNonce, value.ToArray(), chain, level, value);
            }

            value.CopyTo(tops, chain * v);
        }

        var leaf = new byte[DsigParameters.HashBytes];
        LeafHash.Compute(pkNonce, tops, leaf);
        return leaf;
    }

    private static Gen<byte[]> Digests() =>
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), DsigParameters.DigestBytes);

    private static byte[] WithSumChecksum(byte[] messageDigits)
    {
        var digits = new byte[DsigParameters.Chains];
        var sum = 0;
        for (var i = 0; i < 64; i++)
        {
            digits[i] = (byte)(messageDigits[i] & 3);
            sum += digits[i];
        }

        for (var i = 0; i < 4; i++)
        {
            digits[64 + i] = (byte)(sum & 3);
            sum >>= 2;
        }

        return digits;
    }

    private static bool Dominates(byte[] candidate, byte[] observed) =>
        candidate.Zip(observed).All(p => p.First >= p.Second);
}
