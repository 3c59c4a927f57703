using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// Batches over the verbs transport's two-sided SEND (specs/dsig.md §3 step 9): one queue pair
/// per verifier, opened by the caller (TCP or in-process fabric). A send completes when the
/// receiver's queue took the message; a verifier with no queue pair, or one whose queue pair
/// fails, misses the batch and uses the slow path (the signer counts the failure). The
/// receiving side runs <see cref="PumpAsync"/> on the endpoint that takes the batches.
/// </summary>
public sealed class QueuePairDsigTransport(IReadOnlyDictionary<NodeId, QueuePair> verifiers) : IDsigBatchTransport
{
    public async ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!verifiers.TryGetValue(verifier, out var queuePair))
        {
            throw new InvalidOperationException($"no queue pair to verifier {verifier}");
        }

        // The verbs SEND takes no token: stop waiting on cancellation; the send itself then
        // completes or fails with its connection.
        await queuePair.SendAsync(batchMessage).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands every message arriving at <paramref name="endpoint"/> to
    /// <paramref name="verifier"/> until cancelled. The endpoint's receive queue must carry only
    /// DSig batches (a protocol that shares one routes batch messages here itself); anything
    /// that is not a valid batch is rejected by pre-verification, never trusted.
    /// </summary>
    public static async Task PumpAsync(MemoryEndpoint endpoint, DsigVerifier verifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(verifier);
        try
        {
            while (true)
            {
                var message = await endpoint.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                verifier.Receive(message.From, message.Payload);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
