namespace Grid.Replication.DSig;

/// <summary>Limits of a <see cref="DsigVerifier"/> (specs/dsig.md §2, §4, §5.3).</summary>
public sealed class DsigVerifierOptions
{
    /// <summary>Pre-verified batches kept per signer, oldest evicted (§2: 32).</summary>
    public int CachedBatchesPerSigner { get; set; } = 32;

    /// <summary>Verify signatures with no cached batch by checking the root signature (§5.3).</summary>
    public bool SlowPathEnabled { get; set; } = true;

    /// <summary>Roots verified on the slow path remembered per signer, so later signatures of
    /// the same batch skip Ed25519 (§5.3, [I]).</summary>
    public int RememberedRootsPerSigner { get; set; } = 32;

    /// <summary>Received batches waiting for pre-verification; beyond it the oldest is dropped.</summary>
    public int InboxCapacity { get; set; } = 1024;

    /// <summary>
    /// Batches of one sender waiting for pre-verification; beyond it that sender's new batches
    /// are dropped, so one flooding peer cannot push out everyone else's.
    /// </summary>
    public int InboxCapacityPerSigner { get; set; } = 64;

    internal void Validate()
    {
        if (CachedBatchesPerSigner < 1 || RememberedRootsPerSigner < 0 || InboxCapacity < 1 || InboxCapacityPerSigner < 1)
        {
            throw new ArgumentException(
                "CachedBatchesPerSigner, InboxCapacity and InboxCapacityPerSigner must be at least 1, "
                + $"RememberedRootsPerSigner at least 0 (got {CachedBatchesPerSigner}, {InboxCapacity}, "
                + $"{InboxCapacityPerSigner}, {RememberedRootsPerSigner})");
        }
    }
}
