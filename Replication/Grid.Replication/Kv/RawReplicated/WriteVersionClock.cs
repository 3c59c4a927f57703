namespace Grid.Replication.Kv.RawReplicated;

/// <summary>
/// The version a raw-replicated writer stamps on each record:
/// <c>(microseconds since the Unix epoch &lt;&lt; 8) | writer id</c>, never at or below a version
/// this client has written or read before. The physical clock orders the puts of different
/// clients (as far as their clocks agree), the floor orders a client's own puts and puts after
/// what it read (Lamport's catch-up), and the writer id breaks ties. Nothing checks versions at
/// the nodes, so this is what lets a reader pick the newest copy, not a safety argument: see
/// <see cref="RawReplicatedKvStore"/>. 56 bits of microseconds last until the year 4253.
/// </summary>
internal sealed class WriteVersionClock
{
    public const int WriterBits = 8;

    /// <summary>Writer ids fit in the low <see cref="WriterBits"/> bits; 0 is no writer.</summary>
    public const int WriterIdMax = (1 << WriterBits) - 1;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    private readonly TimeProvider _time;
    private readonly ulong _writerId;
    private readonly object _lock = new();
    private ulong _floor;

    public WriteVersionClock(int writerId, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writerId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writerId, WriterIdMax);
        ArgumentNullException.ThrowIfNull(time);
        _writerId = (ulong)writerId;
        _time = time;
    }

    /// <summary>A version above every one handed out or observed by this client.</summary>
    public ulong Next()
    {
        var micros = (ulong)Math.Max(0, (_time.GetUtcNow().UtcTicks - UnixEpochTicks) / TimeSpan.TicksPerMicrosecond);
        lock (_lock)
        {
            var units = Math.Max(micros, (_floor >> WriterBits) + 1);
            _floor = (units << WriterBits) | _writerId;
            return _floor;
        }
    }

    /// <summary>Moves the floor to <paramref name="version"/>, so the next put beats it.</summary>
    public void Observe(ulong version)
    {
        lock (_lock)
        {
            if (version > _floor)
            {
                _floor = version;
            }
        }
    }
}
