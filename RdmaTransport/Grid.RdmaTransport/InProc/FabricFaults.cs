using System.Collections.Immutable;

namespace Grid.RdmaTransport.InProc;

/// <summary>
/// Faults injected into an <see cref="InProcFabric"/>. A change applies to batches posted after
/// it (and a crash also to batches not yet executed). Crashes are crash-stop until
/// <see cref="Restart"/> brings the node back, with or without its memory. <see cref="Heal"/>
/// removes every other fault. A dropped direction loses the
/// request (nothing executes) or the response (the ops executed but the initiator never hears
/// of it); either way the batch fails with <see cref="TransportError.Timeout"/> after the
/// operation timeout and the queue pair closes, as an RC queue pair does once retries run out.
/// Delays and slow nodes shape real-time runs only; the deterministic scheduler explores every
/// order regardless. A held link (<see cref="HoldLink"/>) keeps requests back, neither executed
/// nor failed, until the test releases them (<see cref="ReleaseLink"/>): a batch delayed for as
/// long as a test wants, for checking what a late batch may still do.
/// </summary>
public sealed class FabricFaults
{
    private readonly InProcFabric _fabric;
    private readonly object _holdLock = new();
    private readonly Dictionary<(NodeId From, NodeId To), List<InFlightBatch>> _held = [];
    private State _state = State.Empty;

    internal FabricFaults(InProcFabric fabric) => _fabric = fabric;

    public bool IsCrashed(NodeId node) => Volatile.Read(ref _state).Crashed.Contains(node);

    /// <summary>The node stops: ops to it fail, it can post nothing, its memory is unreachable.</summary>
    public void Crash(NodeId node) => Update(s => s with { Crashed = s.Crashed.Add(node) });

    /// <summary>
    /// The node's process restarts, whether it was up or crashed, and is up afterwards. Its
    /// connections die with the old process: batches on them that have not executed fail with
    /// <see cref="TransportError.ConnectionClosed"/>, and clients connect again. With
    /// <paramref name="keepMemory"/> (a node with a data file) its regions keep their bytes and
    /// its incarnation stays; without (a volatile node) they come back zeroed under a new
    /// incarnation, which new connections see in <see cref="QueuePair.RemoteIdentity"/>.
    /// Messages queued at the node and not yet taken are lost either way; region rights stay.
    /// </summary>
    public void Restart(NodeId node, bool keepMemory)
    {
        _fabric.GetEndpoint(node).Restart(keepMemory);
        Update(s => s with { Crashed = s.Crashed.Remove(node) });
    }

    /// <summary>Loses every message from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void DropLink(NodeId from, NodeId to) =>
        Update(s => s with { Dropped = s.Dropped.Add((from, to)) });

    /// <summary>Cuts both directions between every node of one side and every node of the other.</summary>
    public void Partition(IEnumerable<NodeId> side, IEnumerable<NodeId> otherSide)
    {
        var left = side.ToArray();
        var right = otherSide.ToArray();
        Update(s =>
        {
            var dropped = s.Dropped.ToBuilder();
            foreach (var a in left)
            {
                foreach (var b in right)
                {
                    dropped.Add((a, b));
                    dropped.Add((b, a));
                }
            }

            return s with { Dropped = dropped.ToImmutable() };
        });
    }

    /// <summary>Adds <paramref name="extra"/> to each one-way trip from one node to another.</summary>
    public void DelayLink(NodeId from, NodeId to, TimeSpan extra)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(extra, TimeSpan.Zero);
        Update(s => s with { Delays = s.Delays.SetItem((from, to), extra) });
    }

    /// <summary>Adds <paramref name="extra"/> to each one-way trip to or from a node.</summary>
    public void SlowNode(NodeId node, TimeSpan extra)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(extra, TimeSpan.Zero);
        Update(s => s with { Slow = s.Slow.SetItem(node, extra) });
    }

    /// <summary>
    /// Holds back every request from <paramref name="from"/> to <paramref name="to"/> posted from
    /// now on: it waits at the fabric, not executed and not completed, until
    /// <see cref="ReleaseLink"/>. Per-queue-pair order holds. <see cref="Heal"/> leaves held links
    /// alone; a held batch is never timed out.
    /// </summary>
    public void HoldLink(NodeId from, NodeId to)
    {
        lock (_holdLock)
        {
            _held.TryAdd((from, to), []);
        }
    }

    /// <summary>
    /// Ends the hold of <see cref="HoldLink"/> and hands the held requests to the scheduler in
    /// post order, as if they arrived now: a target judges their deadlines
    /// (<see cref="VerbBatch.NotAfter"/>) by its clock at this point. Returns the released
    /// batches; with the real-time scheduler and no modelled delay they have executed and
    /// completed when this returns. Empty when the link was not held.
    /// </summary>
    public IReadOnlyList<VerbBatch> ReleaseLink(NodeId from, NodeId to)
    {
        // Scheduled under the lock, so a post racing the release cannot overtake a held batch.
        lock (_holdLock)
        {
            if (!_held.Remove((from, to), out var flights))
            {
                return [];
            }

            foreach (var flight in flights)
            {
                _fabric.Schedule(flight);
            }

            return flights.Select(f => f.Batch).ToList();
        }
    }

    /// <summary>Removes drops, partitions, delays and slowness; crashed nodes stay crashed.</summary>
    public void Heal() => Update(s => State.Empty with { Crashed = s.Crashed });

    /// <summary>Keeps the flight back when its link is held; false when the link is not held.</summary>
    internal bool TryHold(InFlightBatch flight)
    {
        lock (_holdLock)
        {
            if (!_held.TryGetValue((flight.From, flight.To), out var flights))
            {
                return false;
            }

            flights.Add(flight);
            return true;
        }
    }

    internal bool IsDropped(NodeId from, NodeId to) =>
        Volatile.Read(ref _state).Dropped.Contains((from, to));

    internal TimeSpan ExtraDelay(NodeId from, NodeId to)
    {
        var s = Volatile.Read(ref _state);
        if (s.Delays.IsEmpty && s.Slow.IsEmpty)
        {
            return TimeSpan.Zero;
        }

        return s.Delays.GetValueOrDefault((from, to))
            + s.Slow.GetValueOrDefault(from)
            + s.Slow.GetValueOrDefault(to);
    }

    private void Update(Func<State, State> change)
    {
        while (true)
        {
            var current = Volatile.Read(ref _state);
            if (Interlocked.CompareExchange(ref _state, change(current), current) == current)
            {
                return;
            }
        }
    }

    private sealed record State(
        ImmutableHashSet<NodeId> Crashed,
        ImmutableHashSet<(NodeId From, NodeId To)> Dropped,
        ImmutableDictionary<(NodeId From, NodeId To), TimeSpan> Delays,
        ImmutableDictionary<NodeId, TimeSpan> Slow)
    {
        public static readonly State Empty = new(
            [], [], ImmutableDictionary<(NodeId, NodeId), TimeSpan>.Empty,
            ImmutableDictionary<NodeId, TimeSpan>.Empty);
    }
}
