using System.Buffers.Binary;

namespace Grid.Replication.Swarm;

/// <summary>
/// One snapshot of an object (spec §2.4 READ, one roundtrip): every replying node's slots, and
/// the primary's in-place copy when the primary replied.
/// </summary>
internal sealed class SwarmSnapshot
{
    public SwarmSnapshot(ulong[]?[] slots, byte[]? inPlace)
    {
        Slots = slots;
        InPlace = inPlace;
    }

    /// <summary>Per node, its slots (null: not in the quorum).</summary>
    public ulong[]?[] Slots { get; }

    /// <summary>The primary's in-place header and value, or null.</summary>
    public byte[]? InPlace { get; }

    /// <summary>Every word in the snapshot, after the reader's substitutions.</summary>
    public ulong MappedMax(IReadOnlyDictionary<ulong, ulong> substitutions)
    {
        ulong max = 0;
        foreach (var node in Slots)
        {
            if (node is not null)
            {
                max = Math.Max(max, MappedMax(node, substitutions));
            }
        }

        return max;
    }

    /// <summary>Whether some replying node's own maximum is another write than <paramref name="word"/>.</summary>
    public bool SomeNodeDisagrees(ulong word, IReadOnlyDictionary<ulong, ulong> substitutions)
    {
        foreach (var node in Slots)
        {
            if (node is not null && Tsp.Identity(MappedMax(node, substitutions)) != Tsp.Identity(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The in-place value when it is a whole copy of <paramref name="word"/>'s write.</summary>
    public byte[]? InPlaceValueOf(ulong word)
    {
        if (InPlace is null || Tsp.Identity(BinaryPrimitives.ReadUInt64LittleEndian(InPlace)) != Tsp.Identity(word))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(InPlace.AsSpan(24));
        if (length < 0 || length > InPlace.Length - SwarmLayout.InPlaceHeaderBytes)
        {
            return null;
        }

        var value = InPlace.AsSpan(SwarmLayout.InPlaceHeaderBytes, length);
        return ValueChecksum.Matches(word, value, InPlace.AsSpan(8, ValueChecksum.Bytes)) ? value.ToArray() : null;
    }

    public IEnumerable<ulong> Words()
    {
        foreach (var node in Slots)
        {
            if (node is null)
            {
                continue;
            }

            foreach (var word in node)
            {
                if (word != 0)
                {
                    yield return word;
                }
            }
        }
    }

    private static ulong MappedMax(ulong[] slots, IReadOnlyDictionary<ulong, ulong> substitutions)
    {
        ulong max = 0;
        foreach (var word in slots)
        {
            var mapped = !Tsp.IsVerified(word) && substitutions.TryGetValue(word, out var replacement)
                ? replacement
                : word;
            max = Math.Max(max, mapped);
        }

        return max;
    }
}
