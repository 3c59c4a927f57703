namespace Grid.Testing.Linearizability;

/// <summary>
/// Records a concurrent history for <see cref="LinearizabilityChecker"/>. Call a Begin method just
/// before issuing an operation and Complete, CompleteRead or Abandon just after it finishes.
/// </summary>
/// <remarks>
/// Time is a logical clock advanced by every Begin and Complete, not a wall clock: if one
/// operation completes before another begins (in real time, on any threads) its return stamp is
/// smaller than the other's call stamp, which is all linearizability needs, and a test driven from
/// one thread records the same history on every run. Thread-safe.
/// </remarks>
public sealed class HistoryRecorder
{
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private long _clock;

    /// <summary>
    /// A snapshot of the history so far, in the order operations began. Operations neither
    /// completed nor abandoned yet count as abandoned: writes and deletes stay with
    /// <see cref="HistoryOperation.NeverReturned"/>, reads are dropped.
    /// </summary>
    public IReadOnlyList<HistoryOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                var result = new List<HistoryOperation>(_slots.Count);
                foreach (var slot in _slots)
                {
                    // A read that never returned observed nothing, so it constrains nothing.
                    if (slot.Kind == OperationKind.Read && !slot.Completed)
                        continue;
                    result.Add(new HistoryOperation(
                        slot.Client,
                        slot.Key,
                        slot.Kind,
                        slot.Value,
                        slot.Call,
                        slot.Completed ? slot.Return : HistoryOperation.NeverReturned));
                }
                return result;
            }
        }
    }

    /// <summary>Records the call of a read of <paramref name="key"/>; returns its id.</summary>
    public int BeginRead(int client, string key) => Begin(client, key, OperationKind.Read, null);

    /// <summary>Records the call of a write of <paramref name="value"/>; returns its id.</summary>
    public int BeginWrite(int client, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Begin(client, key, OperationKind.Write, value);
    }

    /// <summary>Records the call of a delete of <paramref name="key"/>; returns its id.</summary>
    public int BeginDelete(int client, string key) =>
        Begin(client, key, OperationKind.Delete, null);

    /// <summary>Records that read <paramref name="id"/> returned <paramref name="value"/>.
    /// </summary>
    /// <param name="id">An id from <see cref="BeginRead"/>.</param>
    /// <param name="value">The value read; null means the key was absent.</param>
    public void CompleteRead(int id, string? value)
    {
        var stamp = Interlocked.Increment(ref _clock);
        lock (_gate)
        {
            var slot = Open(id);
            if (slot.Kind != OperationKind.Read)
            {
                throw new InvalidOperationException(
                    $"Operation {id} is a {slot.Kind}; complete it with Complete.");
            }
            slot.Value = value;
            slot.Return = stamp;
            slot.Completed = true;
        }
    }

    /// <summary>Records that write or delete <paramref name="id"/> returned successfully.</summary>
    public void Complete(int id)
    {
        var stamp = Interlocked.Increment(ref _clock);
        lock (_gate)
        {
            var slot = Open(id);
            if (slot.Kind == OperationKind.Read)
            {
                throw new InvalidOperationException(
                    $"Operation {id} is a read; complete it with CompleteRead and its value.");
            }
            slot.Return = stamp;
            slot.Completed = true;
        }
    }

    /// <summary>
    /// Records that operation <paramref name="id"/> failed with an unknown outcome (crash,
    /// timeout): a write or delete may or may not have taken effect; a read is dropped.
    /// </summary>
    public void Abandon(int id)
    {
        lock (_gate)
        {
            Open(id).Abandoned = true;
        }
    }

    private int Begin(int client, string key, OperationKind kind, string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        // The stamp is the operation's instant; the lock only guards the list, so the order of
        // ids under contention may differ from the order of stamps, which is harmless.
        var stamp = Interlocked.Increment(ref _clock);
        lock (_gate)
        {
            _slots.Add(new Slot(client, key, kind, value, stamp));
            return _slots.Count - 1;
        }
    }

    // Caller holds _gate.
    private Slot Open(int id)
    {
        if ((uint)id >= (uint)_slots.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, "No operation has this id.");
        var slot = _slots[id];
        if (slot.Completed || slot.Abandoned)
        {
            throw new InvalidOperationException(
                $"Operation {id} was already {(slot.Completed ? "completed" : "abandoned")}.");
        }
        return slot;
    }

    private sealed class Slot(int client, string key, OperationKind kind, string? value, long call)
    {
        public int Client { get; } = client;

        public string Key { get; } = key;

        public OperationKind Kind { get; } = kind;

        public string? Value { get; set; } = value;

        public long Call { get; } = call;

        public long Return { get; set; }

        public bool Completed { get; set; }

        public bool Abandoned { get; set; }
    }
}
