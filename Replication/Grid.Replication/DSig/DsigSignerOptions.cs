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

        ArgumentNullException.ThrowIfNull(FillRandom);
    }
}
