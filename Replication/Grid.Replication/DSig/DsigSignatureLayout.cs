namespace Grid.Replication.DSig;

/// <summary>
/// Byte offsets of the packed 1,584-byte signature (specs/dsig.md §5.1 step 5):
/// <c>pk_nonce 16 | leaf 32 | auth path 7×32 | root_sig 64 | index u64 8 | nonce 16 | R 68×18</c>.
/// The index is little-endian; our index carries the batch sequence number above the 7-bit
/// key position (<see cref="DsigSignature.BatchSequence"/>). Frozen: peers parse by offset.
/// </summary>
public static class DsigSignatureLayout
{
    public const int PkNonceOffset = 0;
    public const int LeafOffset = PkNonceOffset + DsigParameters.NonceBytes;
    public const int PathOffset = LeafOffset + DsigParameters.HashBytes;
    public const int RootSignatureOffset = PathOffset + (DsigParameters.TreeDepth * DsigParameters.HashBytes);
    public const int IndexOffset = RootSignatureOffset + DsigParameters.Ed25519SignatureBytes;
    public const int NonceOffset = IndexOffset + sizeof(ulong);
    public const int ChainsOffset = NonceOffset + DsigParameters.NonceBytes;
    public const int TotalBytes = ChainsOffset + (DsigParameters.Chains * DsigParameters.ChainValueBytes);

    /// <summary>
    /// Bytes before the revealed chain values: everything a signer can lay out when the batch is
    /// made, before it knows the message (the "batched Ed25519 signature" plus both nonces).
    /// </summary>
    public const int HeaderBytes = ChainsOffset;
}
