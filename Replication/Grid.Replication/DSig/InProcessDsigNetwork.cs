using System.Collections.Concurrent;
using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// Batches between DSig processes that live in one .NET process (tests, benchmarks, embedded
/// clusters): a send copies the batch into the receiving verifier's inbox. Sends to a node with
/// no verifier registered, or to a <see cref="Disconnect">disconnected</see> one, are dropped,
/// as on a network, so that verifier takes the slow path.
/// </summary>
public sealed class InProcessDsigNetwork
{
    private readonly ConcurrentDictionary<NodeId, DsigVerifier> _verifiers = new();
    private readonly ConcurrentDictionary<NodeId, bool> _disconnected = new();

    /// <summary>Batch messages delivered so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    private long _delivered;

    public void Register(NodeId node, DsigVerifier verifier) => _verifiers[node] = verifier;

    /// <summary>From now on, batches to <paramref name="node"/> are lost.</summary>
    public void Disconnect(NodeId node) => _disconnected[node] = true;

    public void Reconnect(NodeId node) => _disconnected.TryRemove(node, out _);

    /// <summary>The sending side for <paramref name="signer"/>.</summary>
    public IDsigBatchTransport ForSigner(NodeId signer) => new Sender(this, signer);

    private void Deliver(NodeId from, NodeId to, ReadOnlyMemory<byte> message)
    {
        if (_disconnected.ContainsKey(to) || !_verifiers.TryGetValue(to, out var verifier))
        {
            return;
        }

        verifier.Receive(from, message.ToArray());
        Interlocked.Increment(ref _delivered);
    }

    private sealed class Sender(InProcessDsigNetwork network, NodeId signer) : IDsigBatchTransport
    {
        public ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            network.Deliver(signer, verifier, batchMessage);
            return ValueTask.CompletedTask;
        }
    }
}
