using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Grid.RdmaTransport;

/// <summary>
/// Who a memory node is, as a client sees it when it connects: the cluster the node belongs to
/// and the incarnation of its memory. The incarnation is drawn afresh whenever the node's memory
/// starts empty (every start without a data file, a new data file, an in-process restart that
/// wipes) and travels with the memory otherwise. So a client that reconnects can tell "the same
/// memory, its process restarted" (same incarnation) from "a node that lost what it held" (a new
/// one), which is what a replicated protocol must know before it counts the node in a quorum
/// again (DESIGN.md, process roles and trust).
/// </summary>
public sealed record MemoryNodeIdentity
{
    public const string DefaultClusterId = "grid";

    /// <summary>Longest cluster id; it is stored in data files and sent in every handshake.</summary>
    public const int ClusterIdLengthMax = 64;

    public MemoryNodeIdentity(string clusterId, ulong incarnation)
    {
        var problem = CheckClusterId(clusterId);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(clusterId));
        }

        // Zero is what an all-zero (wiped or never written) header holds: never a real incarnation.
        ArgumentOutOfRangeException.ThrowIfZero(incarnation);
        ClusterId = clusterId;
        Incarnation = incarnation;
    }

    public string ClusterId { get; }

    /// <summary>A random non-zero value; equal incarnations mean the same memory.</summary>
    public ulong Incarnation { get; }

    /// <summary>The identity of memory created empty now: a fresh random incarnation.</summary>
    public static MemoryNodeIdentity Fresh(string clusterId)
    {
        // A cryptographic source rather than a seeded one: two nodes (or two lives of one node)
        // started at the same instant must not draw the same value.
        Span<byte> bytes = stackalloc byte[8];
        ulong incarnation;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            incarnation = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        }
        while (incarnation == 0);

        return new MemoryNodeIdentity(clusterId, incarnation);
    }

    /// <summary>Null when <paramref name="clusterId"/> is a valid cluster id, otherwise what is wrong.</summary>
    public static string? CheckClusterId(string? clusterId)
    {
        // Plain ASCII only: it is printed in logs and errors and compared byte for byte.
        if (string.IsNullOrEmpty(clusterId) || clusterId.Length > ClusterIdLengthMax
            || !clusterId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return $"cluster id '{clusterId}' must be 1 to {ClusterIdLengthMax} characters " +
                "of letters, digits, '.', '_' or '-'";
        }

        return null;
    }

    /// <summary>The incarnation as 16 hex digits, as logs print it.</summary>
    public string IncarnationText => Incarnation.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public override string ToString() => $"cluster {ClusterId}, incarnation {IncarnationText}";
}
