namespace Grid.Cli.Bench;

/// <summary>
/// Decides, per key, whether the value a get returns after a run (all ops ended) is one that a
/// correct register could hold. Let T be the latest start of an acknowledged write of the key.
/// A write W can be the last one in a linearization iff no acknowledged write started after W
/// ended, i.e. iff W ended at or after T; a write that never completed (it threw, or ran into
/// the crash) has no end and always qualifies, since it may have taken effect. So the final
/// value must come from a write that ended at or after T: the latest acknowledged write itself,
/// any write concurrent with it, or any later or unacknowledged one. Anything else, or no value,
/// is a lost write. (Only "started after the latest acknowledged write completed" would be too
/// strict: writes to a hot key overlap, and either of two overlapping writes may win.)
/// </summary>
internal sealed class LostWriteCheck
{
    private readonly Dictionary<long, List<WriteHistory.Write>> _byKey = [];

    public LostWriteCheck(IEnumerable<WriteHistory> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        foreach (var history in histories)
        {
            foreach (var write in history.Writes)
            {
                if (!_byKey.TryGetValue(write.Key, out var writes))
                {
                    writes = [];
                    _byKey.Add(write.Key, writes);
                }

                writes.Add(write);
            }
        }
    }

    /// <summary>Keys with at least one write.</summary>
    public IEnumerable<long> Keys => _byKey.Keys;

    /// <summary>Whether <paramref name="finalValue"/> (null: absent) is a value the key may hold.</summary>
    public bool IsLegal(long key, byte[]? finalValue)
    {
        if (!_byKey.TryGetValue(key, out var writes))
        {
            return finalValue is null; // never written: it must not exist
        }

        var latestAcknowledgedStart = long.MinValue;
        foreach (var write in writes)
        {
            if (write.End != WriteHistory.NotAcknowledged && write.Start > latestAcknowledgedStart)
            {
                latestAcknowledgedStart = write.Start;
            }
        }

        if (finalValue is null)
        {
            // No write deletes, so absence is legal only while no write was acknowledged.
            return latestAcknowledgedStart == long.MinValue;
        }

        var identity = WriteHistory.Identify(finalValue);
        foreach (var write in writes)
        {
            if (write.End >= latestAcknowledgedStart && write.Value == identity)
            {
                return true;
            }
        }

        return false;
    }
}
