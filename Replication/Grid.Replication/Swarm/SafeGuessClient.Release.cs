using Grid.RdmaTransport;

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
            var state = await EnterAsync(candidate.KeyHash).ConfigureAwait(false);
            try
            {
                if (state.DeletedAt is null || state.Entry < 0 || !await AloneInBucketAsync(state).ConfigureAwait(false))
                {
                    continue;
                }

                var batches = NewBatches();
                for (var i = 0; i < batches.Length; i++)
                {
                    batches[i] = new VerbBatch(1);
                    batches[i]!.Write(RegionId, OwnEntryOffset(state), new byte[SwarmLayout.EntryBytes]);
                }

                await RoundtripAsync(batches).ConfigureAwait(false);
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

    /// <summary>Whether no other writer has an entry for the key on a majority's view of its bucket.</summary>
    private async Task<bool> AloneInBucketAsync(SwarmObjectState state)
    {
        var snapshot = await ReadBucketAsync(state).ConfigureAwait(false);
        for (var writer = 1; writer <= _layout.Options.MaxWriters; writer++)
        {
            if (writer != WriterId && snapshot.EntryOf(writer) >= 0)
            {
                return false;
            }
        }

        return true;
    }
}
