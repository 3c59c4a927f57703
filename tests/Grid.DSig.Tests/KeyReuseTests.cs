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
        var signed = new System.Collections.Concurrent.ConcurrentBag<(byte[] Message, byte[] Signature)>();
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 400; i++)
            {
                var message = BitConverter.GetBytes((worker << 16) | i);
                signed.Add((message, signer.Sign(message, group, DsigPurpose.Test)));
            }
        });

        Assert.Equal(1600, signed.Count);
        Assert.Equal(1600, signed.Select(s => KeyId(s.Signature)).Distinct().Count());

        // A race that tore a signature (two writers on one key's revealed values) shows here.
        signer.Dispose();
        var verifier = cluster.Verifiers[1];
        verifier.PreVerifyPending();
        Assert.All(signed, s => Assert.True(verifier.Verify(s.Message, s.Signature, DsigCluster.Id(0), DsigPurpose.Test)));
    }

    [Fact]
    public void Threads_racing_on_one_batch_each_claim_distinct_keys_and_all_of_them()
    {
        // The atomic cursor of SignerBatch itself, released by a barrier so the threads collide.
        const int threads = 4;
        var levels = new byte[SignerBatch.LevelBufferBytes];
        var headers = new byte[DsigParameters.BatchKeys * DsigSignatureLayout.HeaderBytes];
        var message = new byte[DsigParameters.BatchMessageBytes];
        for (var round = 0; round < 300; round++)
        {
            var batch = new SignerBatch((ulong)round, levels, headers, message);
            var claimed = new List<int>[threads];
            using var barrier = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var mine = claimed[t] = [];
                barrier.SignalAndWait();
                while (batch.TryTake(out var key))
                {
                    mine.Add(key);
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());

            var all = claimed.SelectMany(c => c).Order().ToList();
            Assert.Equal(Enumerable.Range(0, DsigParameters.BatchKeys), all);
            Assert.Equal(0, batch.Remaining);
            Assert.False(batch.TryTake(out var none));
            Assert.Equal(-1, none);
        }
    }

    [Fact]
    public void Every_signer_instance_draws_a_fresh_master_seed()
    {
        // Without a sequence file a restarted signer numbers its batches from 1 again; only a
        // fresh master seed keeps its keys apart from the last run's (specs/dsig.md §10).
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var leaves = new HashSet<string>();
        for (var run = 0; run < 3; run++)
        {
            var batches = new List<byte[]>();
            using var signer = new DsigSigner(DsigCluster.Id(0), key, new CapturingTransport(batches), DsigCluster.SmallSigner());
            signer.Group([DsigCluster.Id(1)]);
            signer.PrepareNow();
            var batch = Assert.Single(batches);
            Assert.True(BatchMessage.TryParse(batch, out var sequence, out var batchLeaves, out _));
            Assert.Equal(1UL, sequence);
            for (var k = 0; k < DsigParameters.BatchKeys; k++)
            {
                var leaf = Convert.ToHexString(batchLeaves.Slice(k * DsigParameters.HashBytes, DsigParameters.HashBytes));
                Assert.True(leaves.Add(leaf), $"run {run}: key 1/{k} repeats an earlier run's key");
            }
        }
    }

    [Fact]
    public void A_sequence_file_with_any_byte_changed_stops_the_signer()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var options = new DsigSignerOptions
        {
            PreparedKeysPerGroup = DsigParameters.BatchKeys,
            SequenceFilePath = SequenceFile,
        };
        using (var signer = new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options))
        {
            signer.Group([DsigCluster.Id(1)]);
            signer.PrepareNow();
        }

        var good = File.ReadAllBytes(SequenceFile);
        for (var position = 0; position < good.Length; position++)
        {
            // The mark (bytes 8-15) changed with a stale checksum is the dangerous case: a lower
            // mark would hand out used sequence numbers again.
            var damaged = (byte[])good.Clone();
            damaged[position] ^= 0x01;
            File.WriteAllBytes(SequenceFile, damaged);
            var error = Assert.Throws<InvalidDataException>(() =>
                new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options));
            Assert.Contains(SequenceFile, error.Message, StringComparison.Ordinal);
        }

        File.WriteAllBytes(SequenceFile, good);
        using var restarted = new DsigSigner(DsigCluster.Id(0), key, new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0)), options);
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
