using Grid.RdmaTransport;
using Grid.Replication.DSig;
using NSec.Cryptography;

namespace Grid.DSig.Tests;

/// <summary>
/// A one-time key signs once (specs/dsig.md §10): within a run, under concurrency, and across
/// signer restarts — even with a master seed that repeats, thanks to the persisted sequence
/// high-water mark.
/// </summary>
public sealed class KeyReuseTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("dsig-reuse-");

    private string SequenceFile => Path.Combine(_directory.FullName, "signer.seq");

    [Fact]
    public void Concurrent_signers_never_share_a_key()
    {
        using var cluster = new DsigCluster(2, new DsigSignerOptions { PreparedKeysPerGroup = 8 * DsigParameters.BatchKeys });
        var signer = cluster.Signers[0];
        var group = signer.Group([DsigCluster.Id(1)]);
        signer.Start();
        var keys = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 400; i++)
            {
                var signature = signer.Sign(BitConverter.GetBytes(i), group, DsigPurpose.Test);
                keys.Add(KeyId(signature));
            }
        });

        Assert.Equal(1600, keys.Count);
        Assert.Equal(1600, keys.Distinct().Count());
    }

    [Fact]
    public void A_restarted_signer_with_the_same_seed_uses_fresh_sequence_numbers_and_keys()
    {
        // The worst case for reuse: the random source repeats itself after the restart.
        var options = new DsigSignerOptions
        {
            PreparedKeysPerGroup = DsigParameters.BatchKeys,
            SequenceFilePath = SequenceFile,
            SequenceReservation = 3,
            FillRandom = span => span.Fill(7),
        };
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var directory = new DsigKeyDirectory();
        directory.Add(DsigCluster.Id(0), key.PublicKey);
        var seenKeys = new HashSet<string>();
        var seenLeaves = new HashSet<string>();
        var sequences = new List<ulong>();
        for (var run = 0; run < 4; run++)
        {
            using var verifier = new DsigVerifier(DsigCluster.Id(1), directory);
            var network = new InProcessDsigNetwork();
            network.Register(DsigCluster.Id(1), verifier);
            using var signer = new DsigSigner(DsigCluster.Id(0), key, network.ForSigner(DsigCluster.Id(0)), options);
            var group = signer.Group([DsigCluster.Id(1)]);
            for (var i = 0; i < 200; i++)
            {
                if (i % DsigParameters.BatchKeys == 0)
                {
                    signer.PrepareNow();
                    verifier.PreVerifyPending();
                }

                var signature = signer.Sign([(byte)run, (byte)i], group, DsigPurpose.Test);
                Assert.True(DsigSignature.TryParse(signature, out var parsed));
                Assert.True(seenKeys.Add(KeyId(signature)), $"run {run}: key {parsed.BatchSequence}/{parsed.KeyIndex} reused");
                if (parsed.KeyIndex == 0)
                {
                    sequences.Add(parsed.BatchSequence);
                }

                Assert.True(seenLeaves.Add(Convert.ToHexString(parsed.Leaf)), $"run {run}: a one-time key reappeared");
                Assert.True(verifier.Verify([(byte)run, (byte)i], signature, DsigCluster.Id(0), DsigPurpose.Test));
            }
        }

        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    [Fact]
    public void The_mark_is_on_disk_before_a_batch_of_its_block_is_made()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var options = new DsigSignerOptions
        {
            PreparedKeysPerGroup = 2 * DsigParameters.BatchKeys,
            SequenceFilePath = SequenceFile,
            SequenceReservation = 1,
        };
        using (var signer = new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options))
        {
            signer.Group([DsigCluster.Id(1)]);
            signer.PrepareNow();
        }

        // Two batches made (sequences 1 and 2), each reserved on disk first.
        using var next = new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options);
        var group = next.Group([DsigCluster.Id(1)]);
        next.PrepareNow();
        Assert.True(DsigSignature.TryParse(next.Sign([1], group, DsigPurpose.Test), out var parsed));
        Assert.Equal(3UL, parsed.BatchSequence);
    }

    [Fact]
    public void A_damaged_sequence_file_stops_the_signer()
    {
        File.WriteAllBytes(SequenceFile, new byte[24]);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var options = new DsigSignerOptions { SequenceFilePath = SequenceFile };
        Assert.Throws<InvalidDataException>(() =>
            new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options));

        File.WriteAllBytes(SequenceFile, [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() =>
            new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options));
    }

    [Fact]
    public void An_unwritable_sequence_file_stops_key_generation_instead_of_risking_reuse()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var options = new DsigSignerOptions
        {
            PreparedKeysPerGroup = DsigParameters.BatchKeys,
            SequenceFilePath = Path.Combine(_directory.FullName, "missing-directory", "signer.seq"),
            KeyWaitTimeout = TimeSpan.FromSeconds(5),
        };
        using var signer = new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options);
        var group = signer.Group([DsigCluster.Id(1)]);
        signer.Start();
        var error = Assert.Throws<InvalidOperationException>(() => signer.Sign([1], group, DsigPurpose.Test));
        Assert.IsAssignableFrom<IOException>(error.InnerException);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>A key is identified by its batch sequence and position (the index field).</summary>
    private static string KeyId(byte[] signature)
    {
        Assert.True(DsigSignature.TryParse(signature, out var parsed));
        return parsed.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
