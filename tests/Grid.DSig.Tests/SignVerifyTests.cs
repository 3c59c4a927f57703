using System.Text;
using Grid.RdmaTransport;
using Grid.Replication.DSig;

namespace Grid.DSig.Tests;

public class SignVerifyTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("transfer 10 from alice to bob");

    [Fact]
    public void An_expected_verifier_verifies_fast()
    {
        using var cluster = new DsigCluster(3);
        var group = cluster.Signers[0].Group([DsigCluster.Id(1), DsigCluster.Id(2)]);
        cluster.Settle();
        var signature = cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);

        Assert.Equal(DsigParameters.SignatureBytes, signature.Length);
        foreach (var verifier in cluster.Verifiers.Skip(1))
        {
            Assert.True(verifier.CanVerifyFast(signature, DsigCluster.Id(0)));
            Assert.Equal(DsigVerifyPath.Fast, verifier.VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
        }
    }

    [Fact]
    public void An_unexpected_verifier_verifies_on_the_slow_path_then_remembers_the_root()
    {
        using var cluster = new DsigCluster(3);
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        cluster.Settle();
        var first = cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);
        var second = cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);
        var outsider = cluster.Verifiers[2];

        Assert.False(outsider.CanVerifyFast(first, DsigCluster.Id(0)));
        Assert.Equal(DsigVerifyPath.Slow, outsider.VerifyDetailed(Message, first, DsigCluster.Id(0), DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Slow, outsider.VerifyDetailed(Message, second, DsigCluster.Id(0), DsigPurpose.Test));
        Assert.True(outsider.VerifySlow(Message, second, DsigCluster.Id(0), DsigPurpose.Test, rememberRoots: false));
    }

    [Fact]
    public void A_lost_batch_means_the_slow_path_and_a_disabled_slow_path_rejects()
    {
        using var cluster = new DsigCluster(2, verifierOptions: new DsigVerifierOptions { SlowPathEnabled = false });
        cluster.Network.Disconnect(DsigCluster.Id(1));
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        cluster.Settle();
        var signature = cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);

        Assert.False(cluster.Verifiers[1].CanVerifyFast(signature, DsigCluster.Id(0)));
        Assert.False(cluster.Verifiers[1].Verify(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
        Assert.True(cluster.Verifiers[1].VerifySlow(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public void Messages_of_every_size_sign_and_verify_on_both_paths()
    {
        using var cluster = new DsigCluster(3);
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        cluster.Settle();
        var random = new Random(5);
        foreach (var size in new[] { 0, 1, 8, 63, 64, 65, 952, 953, 1024, 1025, 4096, 4097, 5000, 70_000 })
        {
            var message = new byte[size];
            random.NextBytes(message);
            var signature = cluster.Signers[0].Sign(message, group, DsigPurpose.AuditReceipt);
            Assert.Equal(DsigVerifyPath.Fast,
                cluster.Verifiers[1].VerifyDetailed(message, signature, DsigCluster.Id(0), DsigPurpose.AuditReceipt));
            Assert.Equal(DsigVerifyPath.Slow,
                cluster.Verifiers[2].VerifyDetailed(message, signature, DsigCluster.Id(0), DsigPurpose.AuditReceipt));
        }
    }

    [Fact]
    public void Signing_with_the_background_planes_running_keeps_up_across_many_batches()
    {
        using var cluster = new DsigCluster(2);
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        cluster.Verifiers[1].Start();
        cluster.Signers[0].Start();
        var verifiedFast = 0;
        for (var i = 0; i < 5 * DsigParameters.BatchKeys; i++)
        {
            var message = BitConverter.GetBytes(i);
            var signature = cluster.Signers[0].Sign(message, group, DsigPurpose.Test);
            var path = cluster.Verifiers[1].VerifyDetailed(message, signature, DsigCluster.Id(0), DsigPurpose.Test);
            Assert.NotEqual(DsigVerifyPath.Rejected, path);
            verifiedFast += path == DsigVerifyPath.Fast ? 1 : 0;
        }

        Assert.True(verifiedFast > 0, $"fast {verifiedFast}, cached {cluster.Verifiers[1].CachedBatches(DsigCluster.Id(0))}, rejected {cluster.Verifiers[1].RejectedBatches}, delivered {cluster.Network.Delivered}, stats {cluster.Signers[0].Statistics}");
        Assert.True(cluster.Signers[0].Statistics.BatchesGenerated >= 5);
        Assert.Equal(5 * DsigParameters.BatchKeys, cluster.Signers[0].Statistics.KeysUsed);
    }

    [Fact]
    public void Signing_and_verifying_allocate_nothing()
    {
        using var cluster = new DsigCluster(3, new DsigSignerOptions { PreparedKeysPerGroup = 4 * DsigParameters.BatchKeys });
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        cluster.Settle();
        var signature = new byte[DsigParameters.SignatureBytes];
        var message = new byte[1024];
        for (var i = 0; i < 20; i++)
        {
            // Warm up every path once (first calls may allocate in the runtime).
            cluster.Signers[0].Sign(message, group, DsigPurpose.Test, signature);
            cluster.Verifiers[1].VerifyDetailed(message, signature, DsigCluster.Id(0), DsigPurpose.Test);
            cluster.Verifiers[2].VerifyDetailed(message, signature, DsigCluster.Id(0), DsigPurpose.Test);
        }

        long signing = 0;
        long verifying = 0;
        var fast = 0;
        for (var i = 0; i < 200; i++)
        {
            message[0] = (byte)i;
            var before = GC.GetAllocatedBytesForCurrentThread();
            cluster.Signers[0].Sign(message, group, DsigPurpose.Test, signature);
            var signed = GC.GetAllocatedBytesForCurrentThread();
            fast += cluster.Verifiers[1].VerifyDetailed(message, signature, DsigCluster.Id(0), DsigPurpose.Test) == DsigVerifyPath.Fast ? 1 : 0;
            verifying += GC.GetAllocatedBytesForCurrentThread() - signed;
            signing += signed - before;
        }

        Assert.Equal(200, fast);
        Assert.Equal((0L, 0L), (signing, verifying));
    }

    [Fact]
    public void Signing_without_a_started_signer_or_prepared_keys_says_so()
    {
        using var cluster = new DsigCluster(2);
        var group = cluster.Signers[0].Group([DsigCluster.Id(1)]);
        var error = Assert.Throws<InvalidOperationException>(() => cluster.Signers[0].Sign(Message, group, DsigPurpose.Test));
        Assert.Contains("Start()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_of_another_signer_is_refused()
    {
        using var cluster = new DsigCluster(2);
        var group = cluster.Signers[1].Group([DsigCluster.Id(0)]);
        Assert.Throws<ArgumentException>(() => cluster.Signers[0].Sign(Message, group, DsigPurpose.Test));
    }

    [Fact]
    public void Key_files_round_trip_and_a_node_signs_and_verifies_with_them()
    {
        var directory = Directory.CreateTempSubdirectory("dsig-keys-");
        try
        {
            string Path(string name) => System.IO.Path.Combine(directory.FullName, name);
            DsigKeyFiles.Generate(Path("1.key"), Path("1.pub"));
            DsigKeyFiles.Generate(Path("2.key"), Path("2.pub"));
            Assert.Throws<IOException>(() => DsigKeyFiles.Generate(Path("1.key"), Path("x.pub")));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path("1.key")));
            }

            var network = new InProcessDsigNetwork();
            DsigOptions Options(uint id)
            {
                var options = new DsigOptions
                {
                    NodeId = id,
                    PrivateKeyFile = Path($"{id}.key"),
                    SequenceFile = Path($"{id}.seq"),
                };
                options.PublicKeyFiles[1] = Path("1.pub");
                options.PublicKeyFiles[2] = Path("2.pub");
                options.Signer.PreparedKeysPerGroup = DsigParameters.BatchKeys;
                return options;
            }

            using var one = new DsigNode(Options(1), network.ForSigner(new NodeId(1)));
            using var two = new DsigNode(Options(2), network.ForSigner(new NodeId(2)));
            network.Register(one.Self, one.Verifier);
            network.Register(two.Self, two.Verifier);
            var group = one.Group([two.Self]);
            one.Signer.PrepareNow();
            two.Verifier.PreVerifyPending();

            var signature = one.Sign(Message, group, DsigPurpose.UbftSlowPath);
            Assert.True(two.CanVerifyFast(signature, one.Self));
            Assert.True(two.Verify(Message, signature, one.Self, DsigPurpose.UbftSlowPath));
            Assert.False(one.Verify(Message, signature, one.Self, DsigPurpose.UbftSlowPath));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
