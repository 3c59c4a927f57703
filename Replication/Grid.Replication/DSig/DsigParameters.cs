namespace Grid.Replication.DSig;

/// <summary>
/// The fixed parameters of our DSig (specs/dsig.md §2): W-OTS+ with Winternitz depth 4 over
/// 68 chains of 18-byte values, batches of 128 one-time keys under a Merkle tree of depth 7,
/// BLAKE3 hashes of 32 bytes and Ed25519 root signatures. They are part of the wire format:
/// changing one changes every size below and breaks every peer.
/// </summary>
public static class DsigParameters
{
    /// <summary>Winternitz depth w: each chain has levels 0..w-1 (§2).</summary>
    public const int WinternitzDepth = 4;

    /// <summary>Highest chain level, w - 1: the public end of a chain.</summary>
    public const int TopLevel = WinternitzDepth - 1;

    /// <summary>Base-4 digits of the 128-bit message digest (§2, L1).</summary>
    public const int MessageDigits = 64;

    /// <summary>Base-4 digits of the checksum Σ(w−1−dᵢ) ≤ 64·3 = 192 &lt; 4^4 (§2, L2; §6).</summary>
    public const int ChecksumDigits = 4;

    /// <summary>Chains per one-time key: L1 + L2.</summary>
    public const int Chains = MessageDigits + ChecksumDigits;

    /// <summary>Bytes of a chain value (144 bits, §2).</summary>
    public const int ChainValueBytes = 18;

    /// <summary>BLAKE3 output used for leaves and Merkle nodes.</summary>
    public const int HashBytes = 32;

    /// <summary>Public salt per key and the signature nonce (§2).</summary>
    public const int NonceBytes = 16;

    /// <summary>One-time keys per batch (§2).</summary>
    public const int BatchKeys = 128;

    /// <summary>log2 of <see cref="BatchKeys"/>: nodes in an authentication path.</summary>
    public const int TreeDepth = 7;

    /// <summary>Nodes of a batch's full tree: 128 leaves + 64 + ... + 1 root.</summary>
    public const int TreeNodes = (2 * BatchKeys) - 1;

    public const int Ed25519SignatureBytes = 64;

    public const int Ed25519PublicKeyBytes = 32;

    /// <summary>A signer keeps all four levels of every chain so that signing hashes nothing (§3 step 3).</summary>
    public const int SecretKeyBytes = WinternitzDepth * Chains * ChainValueBytes;

    /// <summary>The packed signature (§5.1 step 5): 1,584 bytes.</summary>
    public const int SignatureBytes = DsigSignatureLayout.TotalBytes;

    /// <summary>
    /// A batch on the wire: batch sequence (8) ‖ 128 leaves ‖ root signature = 4,168 bytes
    /// (the spec's 4,160 plus the sequence number the root signature covers, §3 step 9).
    /// </summary>
    public const int BatchMessageBytes = 8 + (BatchKeys * HashBytes) + Ed25519SignatureBytes;

    /// <summary>Output of the message digest XOF: one byte per digit (§5.1 step 2).</summary>
    public const int DigestBytes = 64;
}
