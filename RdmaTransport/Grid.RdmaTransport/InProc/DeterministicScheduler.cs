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
/// With <see cref="SlowLaneProbability"/> set, each queue pair is drawn slow or not when it first
/// posts: a slow one's events are picked far less often, so some nodes lag behind others for
/// long stretches, as a slow link would make them (swarm testing of delays).
/// </summary>
public sealed class DeterministicScheduler : IFabricScheduler
{
    private readonly Random _random;
    private readonly List<Lane> _lanes = [];
    private readonly Dictionary<QueuePair, Lane> _laneOf = [];
    private readonly List<InFlightBatch> _timingOut = [];
    private readonly List<(Action Run, double Weight)> _enabled = [];

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

    /// <summary>Chance that a queue pair is slow; 0 (the default) makes every event equally likely.</summary>
    public double SlowLaneProbability { get; set; }

    /// <summary>How much less often a slow queue pair's events are picked.</summary>
    public double SlowLaneWeight { get; set; } = 0.02;

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
            var slow = SlowLaneProbability > 0 && _random.NextDouble() < SlowLaneProbability;
            lane = new Lane(slow ? SlowLaneWeight : 1);
            _laneOf.Add(flight.QueuePair, lane);
            _lanes.Add(lane);
        }

        lane.Executing.Enqueue(flight);
    }

    /// <summary>Runs one event drawn from the seed; false when nothing is pending.</summary>
    public bool RunOne()
    {
        _enabled.Clear();
        var total = 0.0;
        foreach (var lane in _lanes)
        {
            if (lane.Executing.Count > 0)
            {
                _enabled.Add((lane.Step, lane.Weight));
                total += lane.Weight;
            }

            if (lane.Completing.Count > 0)
            {
                _enabled.Add((lane.CompleteOldest, lane.Weight));
                total += lane.Weight;
            }
        }

        for (var i = 0; i < _timingOut.Count; i++)
        {
            var index = i;
            _enabled.Add((() => TimeOut(index), 1));
            total += 1;
        }

        if (_enabled.Count == 0)
        {
            return false;
        }

        Steps++;
        var pick = _random.NextDouble() * total;
        foreach (var (run, weight) in _enabled)
        {
            pick -= weight;
            if (pick < 0)
            {
                run();
                return true;
            }
        }

        _enabled[^1].Run();
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

    private sealed class Lane(double weight)
    {
        public double Weight { get; } = weight;

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
