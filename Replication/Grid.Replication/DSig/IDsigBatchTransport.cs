using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// How a signer's background plane ships a batch to one verifier (specs/dsig.md §3 step 9).
/// The seam is one method so it maps onto the transport's two-sided SEND
/// (<c>QueuePair.SendAsync</c>, the receiver then hands the payload to
/// <see cref="DsigVerifier.Receive"/>) as easily as onto <see cref="InProcessDsigNetwork"/>.
/// The signer awaits every send of a batch before it releases the batch's keys, so a key is
/// never used before its batch has left; delivery itself stays best-effort: a verifier that
/// misses a batch falls back to the slow path (§5.3).
/// </summary>
public interface IDsigBatchTransport
{
    /// <summary>Hands <paramref name="batchMessage"/> (which stays the caller's) to the channel to <paramref name="verifier"/>.</summary>
    ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken);
}
