using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.DSig;
using NSec.Cryptography;

namespace Grid.DSig.Tests;

public class QueuePairTransportTests
{
    [Fact]
    public async Task Batches_travel_over_SEND_and_the_verifier_verifies_fast()
    {
        using var fabric = new InProcFabric();
        var signerNode = new NodeId(1);
        var verifierNode = new NodeId(2);
        var lostNode = new NodeId(3);
        var endpoint = fabric.AddEndpoint(verifierNode, receiveQueueCapacity: 16);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var directory = new DsigKeyDirectory();
        directory.Add(signerNode, key.PublicKey);
        using var verifier = new DsigVerifier(verifierNode, directory);
        await using var queuePair = fabric.Connect(signerNode, verifierNode);
        using var signer = new DsigSigner(
            signerNode, key, new QueuePairDsigTransport(new Dictionary<NodeId, QueuePair> { [verifierNode] = queuePair }),
            DsigCluster.SmallSigner());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var pump = QueuePairDsigTransport.PumpAsync(endpoint, verifier, stop.Token);

        var group = signer.Group([verifierNode, lostNode]);
        signer.PrepareNow(TestContext.Current.CancellationToken);
        Assert.Equal(1, signer.Statistics.SendFailures); // no queue pair to node 3
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (verifier.PreVerifyPending() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        var signature = signer.Sign("over SEND"u8, group, DsigPurpose.Test);
        Assert.Equal(DsigVerifyPath.Fast, verifier.VerifyDetailed("over SEND"u8, signature, signerNode, DsigPurpose.Test));
        await stop.CancelAsync();
        await pump;
    }
}
