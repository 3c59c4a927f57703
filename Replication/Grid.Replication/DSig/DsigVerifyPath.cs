namespace Grid.Replication.DSig;

/// <summary>How a verification went (specs/dsig.md §5.2, §5.3).</summary>
public enum DsigVerifyPath
{
    /// <summary>Rejected: malformed, wrong signer or purpose, tampered, or not verifiable now.</summary>
    Rejected = 0,

    /// <summary>Accepted against a pre-verified batch: hashes and comparisons only.</summary>
    Fast = 1,

    /// <summary>Accepted after checking the batch root (Ed25519, or a root remembered from an earlier slow check).</summary>
    Slow = 2,
}
