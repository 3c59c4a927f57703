using Grid.RdmaTransport;
using Grid.Replication.DSig;

namespace Grid.DSig.Tests;

/// <summary>A signer's transport that only records the batch messages it is asked to send.</summary>
internal sealed class CapturingTransport(List<byte[]> batches) : IDsigBatchTransport
{
    public ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken)
    {
        lock (batches)
        {
            batches.Add(batchMessage.ToArray());
        }

        return ValueTask.CompletedTask;
    }
}
