namespace Grid.RdmaTransport.InProc;

/// <summary>
/// A scheduler for deterministic tests (STYLE.md, lesson 4): posted batches stay pending until
/// the test calls <see cref="RunOne"/>, which picks one enabled event with a PRNG seeded by
/// <see cref="Seed"/>. The events are: the next execution step of the oldest unexecuted batch of
/// a queue pair (one op, or one chunk of a torn WRITE, so READs of other queue pairs interleave
/// with a WRITE that lands in pieces), the completion of the oldest executed batch of a queue
/// pair, and the timeout of a dropped batch. Per-queue-pair order holds; everything else is an
/// arbitrary interleaving, so modelled delays are ignored. The same seed and the same posts give
/// the same run. Single-threaded: post and step from one thread (completion handlers and inline
/// continuations run inside <see cref="RunOne"/>).
/// </summary>
public sealed class DeterministicScheduler : IFabricScheduler
{
    private readonly Random _random;
    private readonly List<Lane> _lanes = [];
    private readonly Dictionary<QueuePair, Lane> _laneOf = [];
    private readonly List<InFlightBatch> _timingOut = [];
    private readonly List<Action> _enabled = [];

    public DeterministicScheduler(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>Events run so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Whether any batch is still pending.</summary>
    public bool HasPending
    {
        get
        {
            if (_timingOut.Count > 0)
            {
                return true;
            }

            foreach (var lane in _lanes)
            {
                if (lane.Executing.Count > 0 || lane.Completing.Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The PRNG the test may share for its own choices, so one seed drives all.</summary>
    public Random Random => _random;

    public void Schedule(InFlightBatch flight)
    {
        ArgumentNullException.ThrowIfNull(flight);
        if (flight.RequestDropped)
        {
            _timingOut.Add(flight);
            return;
        }

        if (!_laneOf.TryGetValue(flight.QueuePair, out var lane))
        {
            lane = new Lane();
            _laneOf.Add(flight.QueuePair, lane);
            _lanes.Add(lane);
        }

        lane.Executing.Enqueue(flight);
    }

    /// <summary>Runs one event drawn from the seed; false when nothing is pending.</summary>
    public bool RunOne()
    {
        _enabled.Clear();
        foreach (var lane in _lanes)
        {
            if (lane.Executing.Count > 0)
            {
                _enabled.Add(lane.Step);
            }

            if (lane.Completing.Count > 0)
            {
                _enabled.Add(lane.CompleteOldest);
            }
        }

        for (var i = 0; i < _timingOut.Count; i++)
        {
            var index = i;
            _enabled.Add(() => TimeOut(index));
        }

        if (_enabled.Count == 0)
        {
            return false;
        }

        Steps++;
        _enabled[_random.Next(_enabled.Count)]();
        return true;
    }

    /// <summary>Runs events until none is pending; throws if that takes more than the budget.</summary>
    public long RunUntilIdle(long maxSteps = 10_000_000)
    {
        var start = Steps;
        while (RunOne())
        {
            if (Steps - start > maxSteps)
            {
                throw new InvalidOperationException(
                    $"GRID_SEED={Seed}: still busy after {maxSteps} steps (livelock?)");
            }
        }

        return Steps - start;
    }

    public void Dispose()
    {
    }

    private void TimeOut(int index)
    {
        var flight = _timingOut[index];
        _timingOut.RemoveAt(index);
        flight.Complete();
    }

    private sealed class Lane
    {
        public Queue<InFlightBatch> Executing { get; } = new();

        public Queue<InFlightBatch> Completing { get; } = new();

        public void Step()
        {
            var flight = Executing.Peek();
            if (flight.ExecuteStep())
            {
                Executing.Dequeue();
                Completing.Enqueue(flight);
            }
        }

        public void CompleteOldest() => Completing.Dequeue().Complete();
    }
}
