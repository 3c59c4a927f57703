using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// The domain-separation tag of a signature (specs/dsig.md §10): who signs and for what. It is
/// hashed into the digest, so changing either changes every digit.
/// </summary>
public readonly record struct DsigDomain(NodeId Signer, DsigPurpose Purpose);
