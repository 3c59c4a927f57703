using System.Security.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>Limits and seams of a <see cref="DsigSigner"/> (specs/dsig.md §2, §3).</summary>
public sealed class DsigSignerOptions
{
    /// <summary>Keys kept ready per verifier group: 512 = 4 batches (§2).</summary>
    public int PreparedKeysPerGroup { get; set; } = 4 * DsigParameters.BatchKeys;

    /// <summary>
    /// File holding the batch-sequence high-water mark (<see cref="SequenceFile"/>). Null keeps
    /// it in memory only: then only the fresh master seed of each start keeps keys apart.
    /// </summary>
    public string? SequenceFilePath { get; set; }

    /// <summary>Sequence numbers reserved per write of the sequence file.</summary>
    public int SequenceReservation { get; set; } = 16;

    /// <summary>How long <c>Sign</c> waits for the background plane when no key is ready.</summary>
    public TimeSpan KeyWaitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the background plane waits for one verifier to take a batch. The sends of a
    /// batch run in parallel; a verifier that does not take its copy in time misses the batch
    /// (it verifies on the slow path) instead of holding up keys for every group.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Fills the 32-byte master seed at start; the OS generator unless a test injects one.</summary>
    public Action<Span<byte>> FillRandom { get; set; } = RandomNumberGenerator.Fill;

    internal void Validate()
    {
        if (PreparedKeysPerGroup < DsigParameters.BatchKeys)
        {
            throw new ArgumentException(
                $"PreparedKeysPerGroup must be at least one batch ({DsigParameters.BatchKeys}), not {PreparedKeysPerGroup}");
        }

        if (SequenceReservation < 1)
        {
            throw new ArgumentException($"SequenceReservation must be at least 1, not {SequenceReservation}");
        }

        if (KeyWaitTimeout <= TimeSpan.Zero || SendTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"KeyWaitTimeout and SendTimeout must be positive, not {KeyWaitTimeout} and {SendTimeout}");
        }

        ArgumentNullException.ThrowIfNull(FillRandom);
    }
}
