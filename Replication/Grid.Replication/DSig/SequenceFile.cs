using System.Buffers.Binary;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// The signer's persisted high-water mark of batch sequence numbers (specs/dsig.md §10: a
/// one-time key is never used twice, also across a restart). The signer reserves sequence
/// numbers in blocks and writes the block's end here — to a temporary file, flushed to disk,
/// then renamed over the old one — before it makes any batch of the block; a restarted signer
/// starts above the mark. File: <c>"GDSIGHWM" ‖ u64 mark ‖ 8 bytes of BLAKE3 of the first 16</c>.
/// A file that exists but does not parse stops the signer: guessing could reuse keys.
/// </summary>
internal static class SequenceFile
{
    private const int Bytes = 24;

    private static ReadOnlySpan<byte> Magic => "GDSIGHWM"u8;

    /// <summary>The mark in the file, or 0 when there is no file yet.</summary>
    public static ulong Read(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(path);
        Span<byte> check = stackalloc byte[8];
        if (bytes.Length == Bytes && bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            Blake3Hasher.Hash(bytes.AsSpan(0, 16), check);
            if (check.SequenceEqual(bytes.AsSpan(16, 8)))
            {
                return BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
            }
        }

        throw new InvalidDataException(
            $"DSig sequence file '{path}' is damaged; refusing to guess (it protects one-time keys " +
            "from reuse). Restore it, or delete it only together with this signer's key pair");
    }

    /// <summary>Durably replaces the mark.</summary>
    public static void Write(string path, ulong mark)
    {
        var bytes = new byte[Bytes];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), mark);
        Blake3Hasher.Hash(bytes.AsSpan(0, 16), bytes.AsSpan(16, 8));
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
