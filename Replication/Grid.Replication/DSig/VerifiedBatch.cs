using Grid.RdmaTransport;
using NSec.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>
/// A batch a verifier has pre-verified (specs/dsig.md §4): the full tree rebuilt from the 128
/// leaves (127 hashes) with its root signature checked once under the signer's Ed25519 key.
/// Fast verification then compares bytes against it (§5.2). Immutable.
/// </summary>
internal sealed class VerifiedBatch
{
    private readonly byte[] _nodes;
    private readonly byte[] _rootSignature;

    private VerifiedBatch(NodeId signer, ulong batchSequence, byte[] nodes, byte[] rootSignature)
    {
        Signer = signer;
        BatchSequence = batchSequence;
        _nodes = nodes;
        _rootSignature = rootSignature;
    }

    public NodeId Signer { get; }

    public ulong BatchSequence { get; }

    public ReadOnlySpan<byte> Nodes => _nodes;

    public ReadOnlySpan<byte> RootSignature => _rootSignature;

    public ReadOnlySpan<byte> Leaf(int keyIndex) =>
        _nodes.AsSpan(keyIndex * DsigParameters.HashBytes, DsigParameters.HashBytes);

    /// <summary>
    /// Parses and pre-verifies a batch message from <paramref name="signer"/>; null when it is
    /// malformed or its root signature does not verify (the sender is then faulty or forging).
    /// </summary>
    public static VerifiedBatch? TryCreate(NodeId signer, PublicKey signerKey, ReadOnlySpan<byte> message)
    {
        if (!BatchMessage.TryParse(message, out var batchSequence, out var leaves, out var rootSignature)
            || batchSequence > DsigSigner.BatchSequenceMax)
        {
            return null;
        }

        var nodes = new byte[DsigParameters.TreeNodes * DsigParameters.HashBytes];
        leaves.CopyTo(nodes);
        MerkleTree.Build(nodes);
        Span<byte> statement = stackalloc byte[RootStatement.Bytes];
        RootStatement.Write(
            signer, batchSequence,
            nodes.AsSpan(MerkleTree.RootNode * DsigParameters.HashBytes, DsigParameters.HashBytes), statement);
        if (!SignatureAlgorithm.Ed25519.Verify(signerKey, statement, rootSignature))
        {
            return null;
        }

        return new VerifiedBatch(signer, batchSequence, nodes, rootSignature.ToArray());
    }

    /// <summary>
    /// True when the signature's batch credential is this batch's, byte for byte (§5.2 steps 1-2):
    /// same root signature, same leaf at its position, same path. No hashing.
    /// </summary>
    public bool Matches(in DsigSignature signature) =>
        signature.BatchSequence == BatchSequence
        && signature.RootSignature.SequenceEqual(_rootSignature)
        && signature.Leaf.SequenceEqual(Leaf(signature.KeyIndex))
        && MerkleTree.PathMatches(_nodes, signature.KeyIndex, signature.Path);
}
