using System.Security.Cryptography;

namespace Grid.Persistence.Swarm;

/// <summary>
/// A grain state as stored in its SWARM-KV register: <c>format u8 | etag 16 bytes | state</c>.
/// The ETag is random per write, so it changes on every write whatever the state, and two
/// activations never mint the same one. A cleared state is a SWARM-KV deletion (no record).
/// </summary>
internal static class SwarmStorageRecord
{
    public const byte Format = 1;
    public const int EtagBytes = 16;
    public const int HeaderBytes = 1 + EtagBytes;

    public static string NewEtag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(EtagBytes));

    public static byte[] Encode(string etag, ReadOnlySpan<byte> state)
    {
        var record = new byte[HeaderBytes + state.Length];
        record[0] = Format;
        if (Convert.FromHexString(etag, record.AsSpan(1, EtagBytes), out _, out var written) != System.Buffers.OperationStatus.Done
            || written != EtagBytes)
        {
            throw new ArgumentException($"\"{etag}\" is not an ETag of this provider", nameof(etag));
        }

        state.CopyTo(record.AsSpan(HeaderBytes));
        return record;
    }

    /// <summary>The ETag and state bytes of a stored record; throws on a record this provider did not write.</summary>
    public static (string Etag, ReadOnlyMemory<byte> State) Decode(byte[] record)
    {
        if (record.Length < HeaderBytes)
        {
            throw new InvalidDataException($"a stored grain state of {record.Length} bytes is shorter than its {HeaderBytes}-byte header");
        }

        if (record[0] != Format)
        {
            throw new InvalidDataException($"a stored grain state has format {record[0]}; this provider reads format {Format}");
        }

        return (Convert.ToHexStringLower(record, 1, EtagBytes), record.AsMemory(HeaderBytes));
    }
}
