using System.Diagnostics;
using Grid.RdmaTransport;
using Grid.Replication.DSig;
using NSec.Cryptography;

namespace Grid.DSig.Tests;

/// <summary>
/// The background planes under slow, stuck or hostile peers and at shutdown: keys are released
/// only after their batch left, a stuck verifier delays nobody for long, a flooding sender loses
/// only its own batches, and disposal is safe to repeat.
/// </summary>
public class PlaneRobustnessTests
{
    private static readonly byte[] Message = "plane"u8.ToArray();

    [Fact]
    public void Keys_are_released_only_after_their_batch_was_sent()
    {
        using var cluster = new DsigCluster(2);
        var gated = new GatedTransport(cluster.Network.ForSigner(DsigCluster.Id(0)));
        using var signer = new DsigSigner(DsigCluster.Id(0), cluster.KeyOf(0), gated, new DsigSignerOptions
        {
            PreparedKeysPerGroup = DsigParameters.BatchKeys,
            KeyWaitTimeout = TimeSpan.FromMilliseconds(300),
            SendTimeout = TimeSpan.FromSeconds(30),
        });
        var group = signer.Group([DsigCluster.Id(1)]);
        signer.Start();

        Assert.True(gated.Entered.Wait(TimeSpan.FromSeconds(10)), "the background plane never tried to send");
        Assert.Throws<TimeoutException>(() => signer.Sign(Message, group, DsigPurpose.Test));

        gated.Open.Set();
        var signature = SignWithin(signer, group, TimeSpan.FromSeconds(10));
        cluster.Verifiers[1].PreVerifyPending();
        Assert.Equal(
            DsigVerifyPath.Fast,
            cluster.Verifiers[1].VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public void A_stuck_verifier_costs_its_own_fast_path_only_and_others_get_the_batch()
    {
        using var cluster = new DsigCluster(3);
        var stuck = new StuckTransport(cluster.Network.ForSigner(DsigCluster.Id(0)), DsigCluster.Id(2));
        using var signer = new DsigSigner(DsigCluster.Id(0), cluster.KeyOf(0), stuck, new DsigSignerOptions
        {
            PreparedKeysPerGroup = DsigParameters.BatchKeys,
            SendTimeout = TimeSpan.FromMilliseconds(100),
        });
        var group = signer.Group([DsigCluster.Id(1), DsigCluster.Id(2)]);

        var started = Stopwatch.StartNew();
        signer.PrepareNow(TestContext.Current.CancellationToken);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"a stuck verifier held the batch for {started.Elapsed}");
        Assert.Equal(1, signer.Statistics.SendFailures);

        var signature = signer.Sign(Message, group, DsigPurpose.Test);
        cluster.Verifiers[1].PreVerifyPending();
        cluster.Verifiers[2].PreVerifyPending();
        Assert.Equal(DsigVerifyPath.Fast, cluster.Verifiers[1].VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Slow, cluster.Verifiers[2].VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public async Task Dispose_returns_while_a_send_hangs_and_ignores_its_token()
    {
        using var cluster = new DsigCluster(2);
        var stuck = new StuckTransport(cluster.Network.ForSigner(DsigCluster.Id(0)), DsigCluster.Id(1));
        var signer = new DsigSigner(DsigCluster.Id(0), cluster.KeyOf(0), stuck, new DsigSignerOptions
        {
            PreparedKeysPerGroup = DsigParameters.BatchKeys,
            SendTimeout = TimeSpan.FromMinutes(10),
        });
        signer.Group([DsigCluster.Id(1)]);
        signer.Start();
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(10)), "the background plane never tried to send");

        var disposing = Task.Run(signer.Dispose, TestContext.Current.CancellationToken);
        var first = await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.True(first == disposing, "Dispose waited for a send that never completes");
    }

    [Fact]
    public void Signer_verifier_and_node_dispose_twice_and_refuse_use_afterwards()
    {
        using var cluster = new DsigCluster(2);
        var signer = cluster.Signers[0];
        var group = signer.Group([DsigCluster.Id(1)]);
        signer.PrepareNow(TestContext.Current.CancellationToken);
        var signature = signer.Sign(Message, group, DsigPurpose.Test);
        var batches = cluster.Network.Delivered;

        signer.Dispose();
        signer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => signer.Sign(Message, group, DsigPurpose.Test));
        Assert.Throws<ObjectDisposedException>(() => signer.Group([DsigCluster.Id(1)]));
        Assert.Throws<ObjectDisposedException>(signer.Start);

        var verifier = cluster.Verifiers[1];
        Assert.Equal(1, verifier.PreVerifyPending());
        verifier.Start();
        verifier.Dispose();
        verifier.Dispose();
        verifier.Receive(DsigCluster.Id(0), new byte[DsigParameters.BatchMessageBytes]);  // no throw after dispose
        Assert.Equal(0, verifier.PreVerifyPending());
        Assert.Equal(0, verifier.RejectedBatches);
        Assert.Equal(1, batches);

        // Verification needs no background plane: what was cached still verifies.
        Assert.Equal(DsigVerifyPath.Fast, verifier.VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public void A_process_does_not_cache_or_fast_verify_batches_claimed_from_itself()
    {
        using var cluster = new DsigCluster(2);
        var batches = new List<byte[]>();
        using var signer = new DsigSigner(
            DsigCluster.Id(0), cluster.KeyOf(0), new CapturingTransport(batches), DsigCluster.SmallSigner());
        var group = signer.Group([DsigCluster.Id(1)]);
        signer.PrepareNow(TestContext.Current.CancellationToken);
        var signature = signer.Sign(Message, group, DsigPurpose.Test);

        // Process 0's own verifier gets process 0's batch, as a loopback or a confused router would.
        var own = cluster.Verifiers[0];
        own.Receive(DsigCluster.Id(0), Assert.Single(batches));
        own.PreVerifyPending();
        Assert.Equal(1, own.RejectedBatches);
        Assert.Equal(0, own.CachedBatches(DsigCluster.Id(0)));
        Assert.False(own.CanVerifyFast(signature, DsigCluster.Id(0)));
        Assert.False(own.Verify(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public void A_flooding_sender_loses_its_own_batches_not_the_others()
    {
        var verifierOptions = new DsigVerifierOptions { InboxCapacity = 8, InboxCapacityPerSigner = 2 };
        using var cluster = new DsigCluster(3, verifierOptions: verifierOptions);
        var group = cluster.Signers[0].Group([DsigCluster.Id(2)]);
        var verifier = cluster.Verifiers[2];

        for (var i = 0; i < 50; i++)
        {
            verifier.Receive(DsigCluster.Id(1), new byte[DsigParameters.BatchMessageBytes]);
        }

        cluster.Signers[0].PrepareNow(TestContext.Current.CancellationToken);
        Assert.Equal(48, verifier.DroppedBatches);
        Assert.Equal(1, verifier.PreVerifyPending());
        Assert.Equal(2, verifier.RejectedBatches);

        var signature = cluster.Signers[0].Sign(Message, group, DsigPurpose.Test);
        Assert.Equal(DsigVerifyPath.Fast, verifier.VerifyDetailed(Message, signature, DsigCluster.Id(0), DsigPurpose.Test));

        // The quota is of batches waiting: once they are processed the sender may send again.
        verifier.Receive(DsigCluster.Id(1), new byte[DsigParameters.BatchMessageBytes]);
        Assert.Equal(0, verifier.PreVerifyPending());
        Assert.Equal(48, verifier.DroppedBatches);
        Assert.Equal(3, verifier.RejectedBatches);
    }

    [Fact]
    public void A_signer_restarted_without_a_sequence_file_is_verified_fast_again()
    {
        using var cluster = new DsigCluster(2);
        var verifier = cluster.Verifiers[1];
        var transport = cluster.Network.ForSigner(DsigCluster.Id(0));
        byte[] before;
        using (var first = new DsigSigner(DsigCluster.Id(0), cluster.KeyOf(0), transport, DsigCluster.SmallSigner()))
        {
            var group = first.Group([DsigCluster.Id(1)]);
            first.PrepareNow(TestContext.Current.CancellationToken);
            verifier.PreVerifyPending();
            before = first.Sign(Message, group, DsigPurpose.Test);
        }

        using var second = new DsigSigner(DsigCluster.Id(0), cluster.KeyOf(0), transport, DsigCluster.SmallSigner());
        var again = second.Group([DsigCluster.Id(1)]);
        second.PrepareNow(TestContext.Current.CancellationToken);
        verifier.PreVerifyPending();
        var after = second.Sign(Message, again, DsigPurpose.Test);

        Assert.True(DsigSignature.TryParse(before, out var b));
        Assert.True(DsigSignature.TryParse(after, out var a));
        Assert.Equal(b.BatchSequence, a.BatchSequence);  // the numbers repeat; the keys do not
        Assert.Equal(DsigVerifyPath.Fast, verifier.VerifyDetailed(Message, after, DsigCluster.Id(0), DsigPurpose.Test));
        Assert.Equal(DsigVerifyPath.Slow, verifier.VerifyDetailed(Message, before, DsigCluster.Id(0), DsigPurpose.Test));
    }

    [Fact]
    public void Signer_options_out_of_range_are_refused_with_the_values()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var transport = new InProcessDsigNetwork().ForSigner(DsigCluster.Id(0));
        var error = Assert.Throws<ArgumentException>(() => new DsigSigner(
            DsigCluster.Id(0), key, transport, new DsigSignerOptions { SendTimeout = TimeSpan.Zero }));
        Assert.Contains("SendTimeout", error.Message);
        error = Assert.Throws<ArgumentException>(() => new DsigVerifier(
            DsigCluster.Id(0), new DsigKeyDirectory(), new DsigVerifierOptions { InboxCapacityPerSigner = 0 }));
        Assert.Contains("InboxCapacityPerSigner", error.Message);
    }

    private static byte[] SignWithin(DsigSigner signer, DsigVerifierGroup group, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                return signer.Sign(Message, group, DsigPurpose.Test);
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>Holds every send until <see cref="Open"/> is set.</summary>
    private sealed class GatedTransport(IDsigBatchTransport inner) : IDsigBatchTransport
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Open { get; } = new();

        public async ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken)
        {
            Entered.Set();
            await Task.Run(() => Open.Wait(cancellationToken), cancellationToken);
            await inner.SendAsync(verifier, batchMessage, cancellationToken);
        }
    }

    /// <summary>Sends to <paramref name="stuck"/> never complete, and ignore cancellation.</summary>
    private sealed class StuckTransport(IDsigBatchTransport inner, NodeId stuck) : IDsigBatchTransport
    {
        private readonly TaskCompletionSource _never = new();

        public ManualResetEventSlim Entered { get; } = new();

        public ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken)
        {
            if (verifier != stuck)
            {
                return inner.SendAsync(verifier, batchMessage, cancellationToken);
            }

            Entered.Set();
            return new ValueTask(_never.Task);
        }
    }
}
