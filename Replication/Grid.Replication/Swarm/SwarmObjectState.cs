namespace Grid.Replication.Swarm;

/// <summary>
/// What one client knows of one key: its own entry in the key's bucket, its own last word there
/// (spec §2.4 <c>last[o]</c>), and per memory node the value it expects in its slot for its next
/// CAS. Ops of one client on one key run one at a time (later ones queue), including a write's background step.
/// </summary>
internal sealed class SwarmObjectState
{
    private readonly TimeProvider _time;
    private ulong _last;

    public SwarmObjectState(ulong keyHash, int bucket, int memoryNodes, TimeProvider time)
    {
        _time = time;
        KeyHash = keyHash;
        Bucket = bucket;
        Expected = new ulong[memoryNodes];
    }

    public ulong KeyHash { get; }

    public int Bucket { get; }

    /// <summary>This client's entry for the key in its part of the bucket; -1 until it writes.</summary>
    public int Entry { get; set; } = -1;

    /// <summary>The client's own final word for this key (0: it never wrote it).</summary>
    public ulong Last
    {
        get => _last;
        set
        {
            _last = value;
            LastAt = _time.GetTimestamp();
        }
    }

    /// <summary>When <see cref="Last"/> was set (monotonic timestamp).</summary>
    public long LastAt { get; private set; }

    /// <summary>
    /// <see cref="Last"/> where its order against new words still counts: a word older than
    /// <paramref name="maxAge"/> has been rewritten or cleared by the refresh since (README,
    /// "Timestamps that never run out"), and its timestamp may have wrapped past new ones, so it
    /// counts as nothing (0) when a write names its predecessor or compares against it.
    /// </summary>
    public ulong LiveLast(TimeSpan maxAge) => _time.GetElapsedTime(LastAt) > maxAge ? 0 : _last;

    /// <summary>Per memory node, what the client's slot holds once its posted ops have run.</summary>
    public ulong[] Expected { get; }

    public Task Background { get; set; } = Task.CompletedTask;

    /// <summary>When the client's last write of the key was a deletion, when it completed (monotonic timestamp).</summary>
    public long? DeletedAt { get; set; }

    /// <summary>
    /// A write of this client that failed after its first batch was posted: its word may sit in
    /// the client's slot on some nodes and a reader may even have returned it, so the next write
    /// first settles it (kept or withdrawn) and its buffer stays live until then.
    /// </summary>
    public UnsettledWrite? Unsettled { get; set; }

    /// <summary>Buffers of withdrawn writes whose words may still sit in the slot: retired by the next completed write.</summary>
    public List<uint> RetireOnNextWrite { get; } = [];

    public bool Busy { get; set; }

    /// <summary>Completed when a busy key is left, for the ops queued behind it.</summary>
    public TaskCompletionSource? Released { get; set; }
}
