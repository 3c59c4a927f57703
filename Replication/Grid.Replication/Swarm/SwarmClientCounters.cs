namespace Grid.Replication.Swarm;

/// <summary>
/// How often each branch of spec §2.4 ran in one client, for tests that must show a path was
/// exercised and for benchmarks that report it.
/// </summary>
public sealed class SwarmClientCounters
{
    private long _freshWrites;
    private long _keptWrites;
    private long _retriedWrites;
    private long _pins;
    private long _withdrawnPins;
    private long _substitutions;
    private long _writeBacks;
    private long _readRestarts;
    private long _settledKept;
    private long _settledWithdrawn;
    private long _releasedEntries;
    private long _withdrawnOrphans;
    private long _refreshPasses;
    private long _refreshesDeferred;
    private long _refreshedKeys;
    private long _clearedWords;
    private long _rebases;
    private long _lateRecoveredWords;
    private long _repairPasses;
    private long _repairedKeys;

    public long FreshWrites => Volatile.Read(ref _freshWrites);

    public long KeptWrites => Volatile.Read(ref _keptWrites);

    public long RetriedWrites => Volatile.Read(ref _retriedWrites);

    public long Pins => Volatile.Read(ref _pins);

    /// <summary>Pins that found the write withdrawn (the reader then substituted it).</summary>
    public long WithdrawnPins => Volatile.Read(ref _withdrawnPins);

    public long Substitutions => Volatile.Read(ref _substitutions);

    public long WriteBacks => Volatile.Read(ref _writeBacks);

    public long ReadRestarts => Volatile.Read(ref _readRestarts);

    /// <summary>Failed writes the next write kept (a reader may have returned them, or they were verified).</summary>
    public long SettledKept => Volatile.Read(ref _settledKept);

    /// <summary>Failed writes the next write withdrew.</summary>
    public long SettledWithdrawn => Volatile.Read(ref _settledWithdrawn);

    /// <summary>Index entries of deleted keys freed by a sweep.</summary>
    public long ReleasedEntries => Volatile.Read(ref _releasedEntries);

    /// <summary>Words a restarted writer found unverified with their buffer on no majority, and withdrew.</summary>
    public long WithdrawnOrphans => Volatile.Read(ref _withdrawnOrphans);

    /// <summary>Timestamp refresh scans that reached every memory node and finished.</summary>
    public long RefreshPasses => Volatile.Read(ref _refreshPasses);

    /// <summary>Timestamp refresh scans given up because a memory node did not answer.</summary>
    public long RefreshesDeferred => Volatile.Read(ref _refreshesDeferred);

    /// <summary>Keys whose old value the refresh wrote again under a recent timestamp.</summary>
    public long RefreshedKeys => Volatile.Read(ref _refreshedKeys);

    /// <summary>Old words below their key's newest that the refresh cleared.</summary>
    public long ClearedWords => Volatile.Read(ref _clearedWords);

    internal void WithdrawnOrphan() => Interlocked.Increment(ref _withdrawnOrphans);

    internal void RefreshPass(bool complete) =>
        Interlocked.Increment(ref complete ? ref _refreshPasses : ref _refreshesDeferred);

    /// <summary>Repair passes of a rebuild that reached every surviving memory node and finished.</summary>
    public long RepairPasses => Volatile.Read(ref _repairPasses);

    /// <summary>Keys a repair pass wrote back because the surviving memory nodes disagreed on them.</summary>
    public long RepairedKeys => Volatile.Read(ref _repairedKeys);

    internal void RepairPass(int repairedKeys)
    {
        Interlocked.Increment(ref _repairPasses);
        Interlocked.Add(ref _repairedKeys, repairedKeys);
    }

    /// <summary>Times this client moved the cluster's epoch after refreshes had stopped for too long.</summary>
    public long Rebases => Volatile.Read(ref _rebases);

    internal void Rebase() => Interlocked.Increment(ref _rebases);

    internal void RefreshedKey() => Interlocked.Increment(ref _refreshedKeys);

    internal void ClearedWord() => Interlocked.Increment(ref _clearedWords);
    /// <summary>
    /// Entries whose newest word a restarted writer found only on nodes that answered its
    /// recovery after the first majority (a recovery that read one majority missed them).
    /// </summary>
    public long LateRecoveredWords => Volatile.Read(ref _lateRecoveredWords);


    internal void LateRecoveredWord() => Interlocked.Increment(ref _lateRecoveredWords);

    internal void Write(SwarmWritePath path)
    {
        switch (path)
        {
            case SwarmWritePath.Fresh:
                Interlocked.Increment(ref _freshWrites);
                break;
            case SwarmWritePath.Kept:
                Interlocked.Increment(ref _keptWrites);
                break;
            default:
                Interlocked.Increment(ref _retriedWrites);
                break;
        }
    }

    internal void Pin(bool withdrawn)
    {
        Interlocked.Increment(ref _pins);
        if (withdrawn)
        {
            Interlocked.Increment(ref _withdrawnPins);
        }
    }

    internal void Substitution() => Interlocked.Increment(ref _substitutions);

    internal void WriteBack() => Interlocked.Increment(ref _writeBacks);

    internal void ReadRestart() => Interlocked.Increment(ref _readRestarts);

    internal void Settled(bool kept) => Interlocked.Increment(ref kept ? ref _settledKept : ref _settledWithdrawn);

    internal void ReleasedEntry() => Interlocked.Increment(ref _releasedEntries);
}
