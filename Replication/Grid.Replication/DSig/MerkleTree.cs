using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grid.Replication.DSig.Hashing;

namespace Grid.Replication.DSig;

/// <summary>
/// The batch's Merkle tree over 128 leaves, node = BLAKE3(left ‖ right) (specs/dsig.md §3 step 6).
/// Nodes are stored level by level from the leaves: 128 leaves at 0, 64 nodes at 128, ...,
/// the root at 254 (32 bytes each). The leaf hash (64 bytes) and a node's preimage (1,240
/// bytes) have different lengths, so a node can never pass for a leaf.
/// </summary>
internal static class MerkleTree
{
    private const int H = DsigParameters.HashBytes;

    /// <summary>First node of a level (level 0 = leaves).</summary>
    public static int LevelStart(int level) =>
        (2 * DsigParameters.BatchKeys) - (2 * DsigParameters.BatchKeys >> level);

    /// <summary>The root's node number.</summary>
    public static int RootNode => DsigParameters.TreeNodes - 1;

    /// <summary>
    /// Fills the inner nodes of <paramref name="nodes"/> (255 × 32 bytes) whose first 128 entries
    /// hold the leaves: 127 one-block hashes.
    /// </summary>
    public static void Build(Span<byte> nodes)
    {
        Debug.Assert(nodes.Length == DsigParameters.TreeNodes * H);
        for (var level = 0; level < DsigParameters.TreeDepth; level++)
        {
            var start = LevelStart(level);
            var parentStart = LevelStart(level + 1);
            var count = DsigParameters.BatchKeys >> level;
            // Two parents at a time; the top level has a single one.
            var i = 0;
            for (; i + 4 <= count; i += 4)
            {
                Blake3Compression.HashOneBlockPair(
                    nodes.Slice((start + i) * H, 2 * H), nodes.Slice((parentStart + (i / 2)) * H, H),
                    nodes.Slice((start + i + 2) * H, 2 * H), nodes.Slice((parentStart + (i / 2) + 1) * H, H));
            }

            for (; i < count; i += 2)
            {
                Blake3Compression.HashOneBlock(
                    nodes.Slice((start + i) * H, 2 * H), nodes.Slice((parentStart + (i / 2)) * H, H));
            }
        }
    }

    /// <summary>Writes the 7 siblings on the way from leaf <paramref name="keyIndex"/> to the root.</summary>
    public static void WritePath(ReadOnlySpan<byte> nodes, int keyIndex, Span<byte> path)
    {
        for (var level = 0; level < DsigParameters.TreeDepth; level++)
        {
            var sibling = LevelStart(level) + ((keyIndex >> level) ^ 1);
            nodes.Slice(sibling * H, H).CopyTo(path.Slice(level * H, H));
        }
    }

    /// <summary>True when the signature's path equals the cached tree's siblings (§5.2 step 2).</summary>
    public static bool PathMatches(ReadOnlySpan<byte> nodes, int keyIndex, ReadOnlySpan<byte> path)
    {
        for (var level = 0; level < DsigParameters.TreeDepth; level++)
        {
            var sibling = LevelStart(level) + ((keyIndex >> level) ^ 1);
            if (!nodes.Slice(sibling * H, H).SequenceEqual(path.Slice(level * H, H)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Recomputes the root from a leaf, its position and its path (§5.3): 7 hashes.</summary>
    [SkipLocalsInit]
    public static void RootFromPath(ReadOnlySpan<byte> leaf, int keyIndex, ReadOnlySpan<byte> path, Span<byte> root)
    {
        Span<byte> pair = stackalloc byte[2 * H];
        Span<byte> node = stackalloc byte[H];
        leaf.CopyTo(node);
        for (var level = 0; level < DsigParameters.TreeDepth; level++)
        {
            var sibling = path.Slice(level * H, H);
            if (((keyIndex >> level) & 1) == 0)
            {
                node.CopyTo(pair);
                sibling.CopyTo(pair[H..]);
            }
            else
            {
                sibling.CopyTo(pair);
                node.CopyTo(pair[H..]);
            }

            Blake3Compression.HashOneBlock(pair, node);
        }

        node.CopyTo(root);
    }
}
