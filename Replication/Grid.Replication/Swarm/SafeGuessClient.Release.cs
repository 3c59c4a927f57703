using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

public sealed partial class SafeGuessClient
{
    /// <summary>
    /// Frees the entries (and buffers) of keys this client deleted at least a grace period ago
    /// (spec §3.5, §4.3 DELETE). An entry is freed only when no other writer has an entry for
    /// the key: the tombstone must stay while an older value could otherwise reappear. Freeing
    /// zeroes the entry on every node; the client's later reuse of it is posted after that on
    /// each connection, so it lands on a clean entry. Returns how many entries were freed.
    /// </summary>
    public async Task<int> ReleaseDeletedAsync()
    {
        List<SwarmObjectState> due;
        ThrowIfFenced();
        lock (_lock)
        {
            due = _objects.Values
                .Where(s => s.DeletedAt is { } at && _time.GetElapsedTime(at) >= _layout.Options.BufferGracePeriod && !s.Busy)
                .ToList();
        }

        var released = 0;
        foreach (var candidate in due)
        {
            PinNodes();
            var state = await EnterAsync(candidate.KeyHash).ConfigureAwait(false);
            try
            {
                if (state.DeletedAt is null || state.Entry < 0 || !await ReadyToFreeAsync(state).ConfigureAwait(false))
                {
                    continue;
                }

                var batches = NewBatches();
                for (var i = 0; i < batches.Length; i++)
                {
                    batches[i] = new VerbBatch(1);
                    batches[i]!.Write(RegionId, OwnEntryOffset(state), new byte[SwarmLayout.EntryBytes]);
                }

                try
                {
                    // Every node: where the zeroing does not land, the tombstone stays, which reads
                    // as deleted too; the next sweep tries again.
                    await RoundtripAsync(batches, _nodes.Count).ConfigureAwait(false);
                }
                catch (QuorumUnavailableException)
                {
                    continue;
                }

                lock (_lock)
                {
                    if (Tsp.Writer(state.Last) == WriterId)
                    {
                        _arena.Retire(Tsp.BufferId(state.Last));
                    }

                    _ownEntries[state.Bucket][state.Entry] = 0;
                    _releasedEntries[(state.Bucket, state.Entry)] = _time.GetTimestamp();
                    _objects.Remove(state.KeyHash);
                }

                released++;
                Counters.ReleasedEntry();
            }
            finally
            {
                Leave(state);
            }
        }

        return released;
    }

    /// <summary>
    /// Whether the deleted key's entry may be freed: every memory node answers, none shows
    /// another writer's entry for the key, and on each one this writer's entry holds the
    /// tombstone or nothing. A node that missed the delete still holds an older value there;
    /// freed on the others, that value would come back once a majority includes that node (seed
    /// 3457). Such a node gets the tombstone first (CAS from what it showed), and the entry is
    /// freed at a later sweep.
    /// </summary>
    private async Task<bool> ReadyToFreeAsync(SwarmObjectState state)
    {
        SwarmSnapshot view;
        try
        {
            view = await SnapshotAsync(state.KeyHash, _nodes.Count).ConfigureAwait(false);
        }
        catch (QuorumUnavailableException)
        {
            return false;
        }

        var tombstone = Tsp.Verified(state.Last);
        var repairs = NewBatches();
        var ready = true;
        for (var i = 0; i < _nodes.Count; i++)
        {
            foreach (var (writer, entry, slot, helped) in view.EntriesOn(i))
            {
                if (writer != WriterId)
                {
                    return false;
                }

                if (entry != state.Entry || Tsp.Identity(_ring.Max(slot, helped)) == Tsp.Identity(tombstone))
                {
                    continue;
                }

                if (_ring.IsAfter(helped, tombstone))
                {
                    // A helped word above the tombstone cannot be this writer's: only its own
                    // verified words are written back there, and the tombstone is its newest.
                    return false;
                }

                ready = false;
                var offset = OwnEntryOffset(state);
                var batch = repairs[i] ??= new VerbBatch(2);
                batch.CompareAndSwap(RegionId, offset + SwarmLayout.SlotOffsetInEntry, slot, tombstone);
                if (helped != 0 && Tsp.Identity(helped) != Tsp.Identity(tombstone))
                {
                    batch.CompareAndSwap(RegionId, offset + SwarmLayout.HelpedOffsetInEntry, helped, 0);
                }
            }
        }

        if (!ready)
        {
            var posted = repairs.Count(b => b is not null);
            try
            {
                await RoundtripAsync(repairs, posted).ConfigureAwait(false);
            }
            catch (QuorumUnavailableException)
            {
            }
        }

        return ready;
    }
}
