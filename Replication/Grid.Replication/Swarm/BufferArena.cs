namespace Grid.Replication.Swarm;

/// <summary>
/// One writer's out-of-place buffers (spec §3.5): the same arena on every memory node, carved
/// here, on the client, in 64-byte units. A buffer stays live while a word may point to it; a
/// write retires the buffer of the write it replaced, and the space is reused only after
/// <see cref="SwarmOptions.BufferGracePeriod"/>, so a slow reader finds either the old content
/// (and its checksum) or a mismatch it detects, never a half-reused buffer it trusts.
/// Not thread-safe: the client guards it.
/// </summary>
internal sealed class BufferArena
{
    private readonly long _units;
    private readonly TimeSpan _grace;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, Stack<uint>> _free = [];
    private readonly Queue<(uint BufferId, int Units, long RetiredAt)> _retired = new();
    private readonly SortedDictionary<uint, int> _live = [];
    private uint _top;

    public BufferArena(long arenaBytes, TimeSpan grace, TimeProvider time)
    {
        _units = arenaBytes / SwarmLayout.BufferUnitBytes;
        _grace = grace;
        _time = time;
    }

    public uint Allocate(int bytes)
    {
        var units = UnitsOf(bytes);
        ReclaimExpired();
        if (_free.TryGetValue(units, out var stack) && stack.Count > 0)
        {
            return Track(stack.Pop(), units);
        }

        if (_top + (long)units <= _units)
        {
            var id = _top;
            _top += (uint)units;
            return Track(id, units);
        }

        throw new SwarmCapacityException(
            $"the writer's buffer arena ({_units * SwarmLayout.BufferUnitBytes} bytes per memory node) " +
            $"has no free buffer of {bytes} bytes; {_live.Count} buffers are live and " +
            $"{_retired.Count} wait out their grace period. Raise SwarmOptions.ArenaBytesPerWriter");
    }

    /// <summary>The buffer can no longer be the target of a new word; reuse it after the grace period.</summary>
    public void Retire(uint bufferId)
    {
        if (_live.Remove(bufferId, out var units))
        {
            // A duration on the monotonic clock: a wall-clock jump must not shorten the grace.
            _retired.Enqueue((bufferId, units, _time.GetTimestamp()));
        }
    }

    /// <summary>Whether the buffer is live (allocated and not retired).</summary>
    public bool IsLive(uint bufferId) => _live.ContainsKey(bufferId);

    /// <summary>Live buffers: allocated and not retired (what a failed write must not leak).</summary>
    public int LiveCount => _live.Count;

    /// <summary>Marks space found in use by a recovery scan; <see cref="Allocate"/> then skips it.</summary>
    public void MarkLive(uint bufferId, int bytes)
    {
        var units = UnitsOf(bytes);
        _live[bufferId] = units;
        _top = Math.Max(_top, bufferId + (uint)units);
    }

    /// <summary>After a recovery scan: the gaps below the top become free space.</summary>
    public void FreeGapsBelowTop()
    {
        uint cursor = 0;
        foreach (var (id, units) in _live)
        {
            for (var gap = cursor; gap < id; gap++)
            {
                Free(gap, 1);
            }

            cursor = Math.Max(cursor, id + (uint)units);
        }
    }

    private static int UnitsOf(int bytes) =>
        (bytes + SwarmLayout.BufferUnitBytes - 1) / SwarmLayout.BufferUnitBytes;

    private uint Track(uint id, int units)
    {
        _live[id] = units;
        return id;
    }

    private void ReclaimExpired()
    {
        while (_retired.TryPeek(out var head) && _time.GetElapsedTime(head.RetiredAt) >= _grace)
        {
            _retired.Dequeue();
            Free(head.BufferId, head.Units);
        }
    }

    private void Free(uint id, int units)
    {
        if (!_free.TryGetValue(units, out var stack))
        {
            stack = new Stack<uint>();
            _free.Add(units, stack);
        }

        stack.Push(id);
    }
}
