using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Common;
using Grid.Replication.Swarm;
using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// One seeded run of SWARM over the whole fault space the protocol claims to survive (see the
/// folder's README): virtual time that advances (grace periods, sweeps, buffer and entry reuse,
/// lease renewal and expiry, reads that grow too old, batches that expire), wall clocks skewed
/// and jumping within the allowance, guess clocks that jump freely, puts, deletes and sweeps,
/// writers that crash and restart under a taken lease, writer ids taken over while their old
/// holder keeps running, and memory nodes that crash or restart with their memory (at most f
/// node faults). Everything is drawn from the seed; the history goes to the linearizability
/// checker, and a fresh reader reads every key at the end.
/// </summary>
internal static class SwarmFaultSimulation
{
    private const long StepBudget = 3_000_000;

    /// <summary>Virtual-time jumps in a row without a step before the run counts as stuck.</summary>
    private const int IdleJumpBudget = 20_000;

    /// <summary>The value a delete writes; reads map it to absent.</summary>
    private static readonly byte[] Tombstone = "\u2020"u8.ToArray();

    public static readonly SwarmOptions Layout = new()
    {
        MaxWriters = 8,
        BucketCount = 2,
        EntriesPerWriter = 3,
        InPlaceValueBytes = 16,
        MaxValueBytes = 64,
        ArenaBytesPerWriter = 64 * 1024,
        BatchLifetime = TimeSpan.FromMilliseconds(40),
        ClockSkewAllowance = TimeSpan.FromMilliseconds(10),
        BufferGracePeriod = TimeSpan.FromMilliseconds(240),
        // A ring of 2^24 µs (16.8 s) instead of 19 h: runs with a long pause wrap it (README of
        // Swarm/, "Timestamps that never run out").
        TimestampRingBits = 24,
    };

    private static readonly WriterLeaseOptions LeaseOptions = new()
    {
        Duration = TimeSpan.FromSeconds(3),
        RenewInterval = TimeSpan.FromSeconds(1),
        ClockSkewAllowance = Layout.ClockSkewAllowance,
    };

    public static SimulationOutcome Run(int seed)
    {
        var run = new SeededRun(seed);
        return run.Execute();
    }

    private sealed class SeededRun
    {
        private readonly int _seed;
        private readonly DeterministicScheduler _scheduler;
        private readonly Random _random;
        private readonly ManualTimeProvider _truth = new();
        private readonly InProcFabric _fabric;
        private readonly SwarmLayout _layout = new(Layout);
        private readonly NodeId[] _memoryNodes;
        private readonly List<SwarmProcess> _processes = [];
        private readonly HistoryRecorder _recorder = new();
        private readonly List<string> _errors = [];
        private readonly SimulationCoverage _coverage = new();
        private readonly int _f;
        private readonly int _keys;
        private readonly string _settings;
        private readonly int _writers;
        private readonly int _opsPerProcess;
        private readonly long _memoryNodeFaultAt;
        private readonly bool _memoryNodeRestarts;
        private readonly long _writerFaultAt;
        private readonly bool _writerTakeover;
        private readonly double _deleteShare;
        private readonly long _pauseAt;
        private readonly TimeSpan _pauseLength;
        private readonly bool _pauseSweeps;
        private readonly Random? _reconnects;
        private readonly TimeSpan _undatedLifetime;
        private int _nodeFaults;
        private int _written;
        private uint _nextNode = 1;

        public SeededRun(int seed)
        {
            _seed = seed;
            _scheduler = new DeterministicScheduler(seed);
            _random = _scheduler.Random;
            var memoryNodeCount = _random.Next(2) == 0 ? 5 : 3;
            _f = (memoryNodeCount - 1) / 2;
            _scheduler.SlowLaneProbability = _random.Next(3) == 0 ? 0 : 0.4;
            _writers = _random.Next(2, 5);
            _keys = _random.Next(1, 6);
            _opsPerProcess = _random.Next(4, 16);
            _deleteShare = _random.Next(3) == 0 ? 0 : 0.2;
            _memoryNodeFaultAt = _random.Next(3) == 0 ? -1 : _random.Next(10, 1500);
            _memoryNodeRestarts = _random.Next(2) == 0;
            _writerFaultAt = _random.Next(3) == 0 ? -1 : _random.Next(10, 1500);
            _writerTakeover = _random.Next(2) == 0;
            var torn = _random.Next(3) switch { 0 => 0, 1 => 8, _ => 24 };

            // Drawn apart from the main stream, so a seed's run up to its pause stays as it was.
            var pauses = new Random(seed ^ 0x5EED);
            _pauseAt = pauses.Next(2) == 0 ? -1 : pauses.Next(10, 1500);
            _pauseLength = TimeSpan.FromMilliseconds(pauses.Next(2_000, 20_000));
            _pauseSweeps = pauses.Next(3) != 0;

            // Also apart: in two seeds of three the clients reach the nodes through
            // ReconnectingQueuePairs (as silos do), so a node that restarted with its memory, or a
            // connection an expired batch closed, is used again after the reconnect.
            var reconnects = new Random(seed ^ 0x2EC0);
            _reconnects = reconnects.Next(3) == 0 ? null : reconnects;
            // Batches posted without a deadline (the lease's) get one; its length bounds how long
            // a new connection drains. Silos use 5 s against T = 1 s; scaled to T = 40 ms here.
            _undatedLifetime = TimeSpan.FromMilliseconds(reconnects.Next(2) == 0 ? 200 : 1000);
            _settings = $"memoryNodes={memoryNodeCount} slowLanes={_scheduler.SlowLaneProbability} writers={_writers} " +
                $"keys={_keys} ops={_opsPerProcess} deletes={_deleteShare} torn={torn} " +
                $"memoryNodeFaultAt={_memoryNodeFaultAt} ({(_memoryNodeRestarts ? "restart" : "crash")}) " +
                $"writerFaultAt={_writerFaultAt} ({(_writerTakeover ? "takeover" : "crash+restart")}) " +
                $"pauseAt={_pauseAt} ({_pauseLength.TotalSeconds:0.0} s, {(_pauseSweeps ? "sweeping" : "idle")}) " +
                $"reconnecting={(_reconnects is null ? "no" : $"yes (undated {_undatedLifetime.TotalMilliseconds} ms)")}";
            _fabric = new InProcFabric(new InProcFabricOptions
            {
                Scheduler = _scheduler,
                TornWriteChunkBytes = torn,
                TimeProvider = _truth,
                Deadlines = BatchDeadline.Default with { ClockSkewAllowance = Layout.ClockSkewAllowance },
            });
            _memoryNodes = Enumerable.Range(0, memoryNodeCount).Select(m => new NodeId(1000 + (uint)m)).ToArray();
            foreach (var node in _memoryNodes)
            {
                _fabric.AddEndpoint(node).RegisterRegion(_layout.RegionBytes);
            }
        }

        public SimulationOutcome Execute()
        {
            using (_fabric)
            {
                try
                {
                    return ExecuteCore();
                }
                catch (SimulationStuckException stuck)
                {
                    return Fail(stuck.Message);
                }
            }
        }

        private SimulationOutcome ExecuteCore()
        {
            for (var w = 1; w <= _writers; w++)
            {
                StartProcess(w, _opsPerProcess);
            }

            var writerFaultDone = _writerFaultAt < 0;
            var pauseDone = _pauseAt < 0;
            var started = _truth.GetUtcNow();
            var memoryNodeFaultDone = _memoryNodeFaultAt < 0;
            var idleJumps = 0;
            while (true)
            {
                if (_scheduler.Steps > StepBudget)
                {
                    return Fail($"no progress after {StepBudget} steps (liveness)");
                }

                if (!memoryNodeFaultDone && _scheduler.Steps >= _memoryNodeFaultAt)
                {
                    memoryNodeFaultDone = true;
                    FaultMemoryNode();
                }

                if (!writerFaultDone && _scheduler.Steps >= _writerFaultAt)
                {
                    writerFaultDone = true;
                    FaultWriter();
                }

                if (!pauseDone && _scheduler.Steps >= _pauseAt && !_scheduler.HasPending)
                {
                    pauseDone = true;
                    Pause();
                }

                MoveClocks();
                Reap();
                RestartForMissedNodes();
                var idle = _processes.Where(p => p.Ready && p.Running is null && p.Remaining > 0).ToList();
                var pending = _scheduler.HasPending;
                if (idle.Count > 0 && (!pending || _random.Next(4) == 0))
                {
                    var process = idle[_random.Next(idle.Count)];
                    process.Remaining--;
                    MarkStart(process);
                    process.Running = StartOperation(process);
                    continue;
                }

                if (pending)
                {
                    idleJumps = 0;
                    AdvanceDuringStep();
                    _scheduler.RunOne();
                    continue;
                }

                if (!Waiting())
                {
                    break;
                }

                // Nothing to run, but ops or starts wait on timers (a lease's previous holder,
                // a back-off): time passes, in steps short enough that renewals keep up.
                if (++idleJumps > IdleJumpBudget)
                {
                    return Fail("stuck: ops wait but no time jump lets them go on (liveness)");
                }

                _truth.Advance(TimeSpan.FromMilliseconds(_random.Next(1, 30)));
            }

            foreach (var process in _processes.Where(p => !p.Crashed && !p.Superseded))
            {
                if (process.Running is { IsCompleted: false })
                {
                    _errors.Add($"process {process.Index} (writer {process.WriterId}): an op never completed (wait-freedom)");
                }
            }

            if (_errors.Count > 0)
            {
                return Fail(string.Join("\n", _errors));
            }

            _coverage.VirtualMilliseconds += (long)(_truth.GetUtcNow() - started).TotalMilliseconds;
            var readBack = ReadEveryKey();
            if (readBack is not null)
            {
                return Fail(readBack);
            }

            var check = LinearizabilityChecker.Check(_recorder.Operations);
            if (!check.IsLinearizable)
            {
                return Fail(check.Explanation);
            }

            _coverage.Add(_processes.Where(p => p.Client is not null).Select(p => p.Client!.Counters));
            CountReconnects();
            return SimulationOutcome.Pass(_seed, _settings, _recorder.Operations.Count,
                _processes.Where(p => p.Client is not null).Select(p => p.Client!.Counters).ToList()) with
            {
                Suite = nameof(SwarmFaultSimulationTests),
                Coverage = _coverage,
            };
        }

        private SimulationOutcome Fail(string details) =>
            SimulationOutcome.Fail(_seed, _settings, details) with { Suite = nameof(SwarmFaultSimulationTests) };

        /// <summary>
        /// Nothing in flight, and time runs on for seconds (many timestamp refresh periods, often
        /// past a wrap of the ring): the writers' sweep loops refresh timestamps every 250 ms, or
        /// with <c>idle</c> nobody does, and the first sweep afterwards must rebase. Time moves in
        /// steps short enough that lease renewals keep up.
        /// </summary>
        private void Pause()
        {
            var end = _truth.GetUtcNow() + _pauseLength;
            var nextSweep = _truth.GetUtcNow();
            while (_truth.GetUtcNow() < end)
            {
                _truth.Advance(TimeSpan.FromMilliseconds(20));
                for (var drained = 0; _scheduler.HasPending && drained < 100_000; drained++)
                {
                    _scheduler.RunOne();
                }

                Reap();
                if (_pauseSweeps && _truth.GetUtcNow() >= nextSweep)
                {
                    nextSweep = _truth.GetUtcNow() + TimeSpan.FromMilliseconds(250);
                    foreach (var process in _processes.Where(p => p.Ready && p.Running is null && !p.Crashed && !p.Superseded))
                    {
                        MarkStart(process);
                        process.Running = Observe(process, SweepAsync(process.Client!), () => { }, () => { });
                    }
                }
            }

            _coverage.Pauses++;
        }

        /// <summary>A writer's sweep loop, once: deleted keys' entries, then a timestamp refresh when one is due.</summary>
        private async Task SweepAsync(SafeGuessClient client)
        {
            _coverage.SweptEntries += await client.ReleaseDeletedAsync().ConfigureAwait(false);
            await client.RefreshStaleAsync(v => v.AsSpan().SequenceEqual(Tombstone)).ConfigureAwait(false);
        }

        /// <summary>Most steps take no time; some take a little; a few stall long enough to expire a batch.</summary>
        private void AdvanceDuringStep()
        {
            var roll = _random.Next(1000);
            var advance = roll switch
            {
                < 600 => TimeSpan.Zero,
                < 990 => TimeSpan.FromMicroseconds(_random.Next(1, 100)),
                < 998 => TimeSpan.FromMilliseconds(_random.Next(1, 20)),
                _ => TimeSpan.FromMilliseconds(_random.Next(20, 200)),
            };
            if (advance > TimeSpan.Zero)
            {
                _truth.Advance(advance);
            }
        }

        /// <summary>Wall clocks drift and jump within ±S/2 of true time; guess clocks jump anywhere.</summary>
        private void MoveClocks()
        {
            if (_random.Next(200) != 0 || _processes.Count == 0)
            {
                return;
            }

            var process = _processes[_random.Next(_processes.Count)];
            var half = (int)(Layout.ClockSkewAllowance.TotalMicroseconds / 2);
            process.WallClock.Offset = TimeSpan.FromMicroseconds(_random.Next(-half, half + 1));
            if (_random.Next(4) == 0)
            {
                process.GuessClock.Skew += _random.Next(-500, 500);
            }
        }

        private bool Waiting() =>
            _processes.Any(p => !p.Crashed && (p.Starting is { IsCompleted: false } || p.Running is { IsCompleted: false } ||
                (p.Ready && p.Remaining > 0)));

        private void Reap()
        {
            foreach (var process in _processes)
            {
                if (process.Running is { IsCompleted: true })
                {
                    process.Running = null;
                }

                if (process.Starting is { IsCompleted: true } starting)
                {
                    process.Starting = null;
                    if (!starting.IsCompletedSuccessfully && !Excused(process, starting.Exception?.InnerException))
                    {
                        _errors.Add($"process {process.Index} (writer {process.WriterId}) did not start: " +
                            $"{starting.Exception?.InnerException}");
                    }
                }
            }
        }

        /// <summary>Takes writer id <paramref name="writerId"/> (forced, as a restarted silo with a fixed id does) and starts a client under it.</summary>
        private SwarmProcess StartProcess(int writerId, int ops)
        {
            var half = (int)(Layout.ClockSkewAllowance.TotalMicroseconds / 2);
            var wall = new SkewedTimeProvider(_truth, TimeSpan.FromMicroseconds(_random.Next(-half, half + 1)));
            var guess = new SimulatedSwarmClock(() => _scheduler.Steps, _random.Next(0, 120));
            var process = new SwarmProcess(_processes.Count, writerId, new NodeId(_nextNode++), wall, guess) { Remaining = ops };
            Connect(process);
            _processes.Add(process);
            MarkStart(process);
            process.Starting = StartAsync(process);
            return process;
        }

        /// <summary>
        /// The process's queue pairs: plain fabric connections, which stay closed once they fail,
        /// or in reconnecting seeds one <see cref="ReconnectingQueuePair"/> per node on the
        /// process's wall clock (timers on true time), back-off drawn from the seed, no jitter
        /// (the pair seeds its jitter through <see cref="HashCode"/>, which differs per process,
        /// so a replay would not repeat it).
        /// </summary>
        private void Connect(SwarmProcess process)
        {
            if (_reconnects is null)
            {
                process.Pairs = _memoryNodes.Select(m => _fabric.Connect(process.Node, m)).ToArray();
                return;
            }

            var options = new ReconnectOptions
            {
                InitialDelay = TimeSpan.FromMilliseconds(_reconnects.Next(10, 200)),
                MaxDelay = TimeSpan.FromMilliseconds(_reconnects.Next(200, 1000)),
                Jitter = 0,
                ClockSkewAllowance = Layout.ClockSkewAllowance,
                UndatedBatchLifetime = _undatedLifetime,
                TimeProvider = process.WallClock,
            };
            process.Probes = _memoryNodes.Select(_ => new ReconnectProbe()).ToArray();
            process.Pairs = _memoryNodes.Select((m, i) =>
            {
                var first = _fabric.Connect(process.Node, m);
                var pair = new ReconnectingQueuePair(process.Node, m, $"node-{m.Value}",
                    _ => Task.FromResult(_fabric.Connect(process.Node, m)), options,
                    connected: first.State == QueuePairState.Closed ? null : first,
                    logger: process.Probes[i],
                    notConnectedReason: first.State == QueuePairState.Closed ? first.CloseReason : null);
                process.Probes[i].Pair = pair;
                return (QueuePair)pair;
            }).ToArray();
        }

        /// <summary>Notes, when an op or the start begins, which nodes the process cannot count on then.</summary>
        private static void MarkStart(SwarmProcess process)
        {
            process.ClosedAtStart = process.Pairs.Select(p => p.State == QueuePairState.Closed).ToArray();
            process.LossesAtStart = process.Probes.Select(p => p.Losses).ToArray();
        }

        private async Task StartAsync(SwarmProcess process)
        {
            var lease = await WriterLease.TakeAsync(
                process.WriterId, process.Pairs, _layout, LeaseOptions, process.WallClock, _random).ConfigureAwait(false);
            process.Lease = lease;
            lease.StartRenewing();
            process.Client = await SafeGuessClient.StartAsync(
                process.WriterId, process.Pairs, _layout, process.GuessClock, process.WallClock, SwarmKvMode.Swarm, lease)
                .ConfigureAwait(false);
            process.Missed = process.Client.MissedNodes;
        }

        /// <summary>
        /// As a silo's grain storage does (SWARM README, "Reconnects", rule 3): once every node a
        /// client's recovery missed is connected again, a new client under the same lease and
        /// pairs recovers from all nodes and takes over the remaining ops; its new incarnation
        /// fences the old client, whose op in flight (if any) may still finish or fail.
        /// </summary>
        private void RestartForMissedNodes()
        {
            for (var p = 0; p < _processes.Count; p++)
            {
                var old = _processes[p];
                if (old.Missed.Count == 0 || !old.Ready || old.Superseded || old.Running is not null || old.Lease is not { LostReason: null } ||
                    old.Missed.Any(i => old.Pairs[i].State != QueuePairState.Ready))
                {
                    continue;
                }

                old.Superseded = true;
                var process = new SwarmProcess(_processes.Count, old.WriterId, old.Node, old.WallClock, old.GuessClock)
                {
                    Remaining = old.Remaining,
                    Pairs = old.Pairs,
                    Probes = old.Probes,
                    Lease = old.Lease,
                };
                old.Remaining = 0;
                _processes.Add(process);
                MarkStart(process);
                _coverage.RestartsForMissedNodes++;
                process.Starting = RestartAsync(process);
            }
        }

        private async Task RestartAsync(SwarmProcess process)
        {
            process.Client = await SafeGuessClient.StartAsync(
                process.WriterId, process.Pairs, _layout, process.GuessClock, process.WallClock, SwarmKvMode.Swarm, process.Lease)
                .ConfigureAwait(false);
            process.Missed = process.Client.MissedNodes;
        }

        /// <summary>A memory node crashes, or restarts with its memory (its connections die).</summary>
        private void FaultMemoryNode()
        {
            if (_nodeFaults >= _f)
            {
                return;
            }

            _nodeFaults++;
            var node = _memoryNodes[_random.Next(_memoryNodes.Length)];
            if (_memoryNodeRestarts)
            {
                _fabric.Faults.Restart(node, keepMemory: true);
                _coverage.MemoryNodeRestarts++;
            }
            else
            {
                _fabric.Faults.Crash(node);
                _coverage.MemoryNodeCrashes++;
            }
        }

        /// <summary>
        /// A writer's id passes to a new process: either the old one crashed first, or it keeps
        /// running (paused, partitioned, or a second silo configured with the same id).
        /// </summary>
        private void FaultWriter()
        {
            var candidates = _processes.Where(p => p.Ready && !p.Superseded).ToList();
            if (candidates.Count == 0)
            {
                return;
            }

            var old = candidates[_random.Next(candidates.Count)];
            old.Superseded = true;
            if (_writerTakeover)
            {
                _coverage.Takeovers++;
            }
            else
            {
                old.Crashed = true;
                _fabric.Faults.Crash(old.Node);
                _coverage.WriterRestarts++;
                // A crashed process redials nothing.
                foreach (var pair in old.Pairs.OfType<ReconnectingQueuePair>())
                {
                    pair.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }

            StartProcess(old.WriterId, _opsPerProcess);
        }

        private Task StartOperation(SwarmProcess process)
        {
            var client = process.Client!;
            var objectId = _random.Next(_keys);
            var key = $"k{objectId}";
            var roll = _random.NextDouble();
            if (roll < 0.05)
            {
                return Observe(process, SweepAsync(client), () => { }, () => { });
            }

            if (roll < 0.05 + _deleteShare * 0.5)
            {
                var id = _recorder.BeginDelete(process.Index, key);
                return Observe(process, client.WriteAsync(KeyOf(objectId), Tombstone, deletion: true),
                    () => _recorder.Complete(id), () => _recorder.Abandon(id));
            }

            if (roll < 0.55)
            {
                // Some values overflow the 16-byte in-place copy, so reads follow the buffer.
                var value = $"w{process.WriterId}p{process.Index}-{++_written}" + (_random.Next(3) == 0 ? new string('x', 30) : "");
                var id = _recorder.BeginWrite(process.Index, key, value);
                return Observe(process, client.WriteAsync(KeyOf(objectId), Encoding.UTF8.GetBytes(value)),
                    () => _recorder.Complete(id), () => _recorder.Abandon(id));
            }

            var readId = _recorder.BeginRead(process.Index, key);
            var read = client.ReadAsync(KeyOf(objectId));
            return Observe(process, read, () => _recorder.CompleteRead(readId, Decode(read.Result.Value)),
                () => _recorder.Abandon(readId));
        }

        private static string? Decode(byte[]? value) =>
            value is null || value.AsSpan().SequenceEqual(Tombstone) ? null : Encoding.UTF8.GetString(value);

        /// <summary>Key hashes spread over buckets, in-place records and primaries.</summary>
        private static ulong KeyOf(int objectId) => 0x9E3779B97F4A7C15UL * (ulong)(objectId + 1);

        /// <summary>Records the end of an op at the step it completes (continuations run inline).</summary>
        private Task Observe(SwarmProcess process, Task operation, Action completed, Action abandoned) =>
            operation.ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        completed();
                        return;
                    }

                    abandoned();
                    var error = t.Exception?.InnerException;
                    if (error is SwarmCapacityException)
                    {
                        _coverage.CapacityRefusals++;
                    }
                    else if (!Excused(process, error))
                    {
                        _errors.Add($"process {process.Index} (writer {process.WriterId}) at step {_scheduler.Steps}: " +
                            $"{error?.GetType().Name}: {error?.Message}");
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

        /// <summary>
        /// Whether a failure is one the fault model allows: the process crashed or lost its id,
        /// or the op could not reach a majority. A node counts as out for the op when it crashed,
        /// its connection is closed now or was when the op began, its connection was lost while
        /// the op ran (the op pinned it: a reconnect does not bring it back for that op), or the
        /// client's recovery did not read it (<see cref="SafeGuessClient.MissedNodes"/>).
        /// </summary>
        private bool Excused(SwarmProcess process, Exception? error)
        {
            if (process.Crashed || process.Superseded)
            {
                return true;
            }

            var missed = process.Client?.MissedNodes ?? [];
            var unusable = 0;
            var closedWhileUp = false;
            for (var i = 0; i < process.Pairs.Length; i++)
            {
                var pair = process.Pairs[i];
                var crashed = _fabric.Faults.IsCrashed(pair.RemoteNode);
                var lost = pair.State == QueuePairState.Closed || process.ClosedAtStart[i] ||
                    (process.Probes.Length > 0 && process.Probes[i].Losses != process.LossesAtStart[i]);
                closedWhileUp |= lost && !crashed;
                if (crashed || lost || missed.Contains(i))
                {
                    unusable++;
                }
            }

            if (closedWhileUp)
            {
                _coverage.ClosedConnections++;
            }

            return unusable > _f && error is QuorumUnavailableException or TransportException or SwarmWriterConflictException;
        }

        /// <summary>Adds what the processes' reconnecting pairs did to the coverage.</summary>
        private void CountReconnects()
        {
            if (_reconnects is null)
            {
                return;
            }

            _coverage.ReconnectingRuns++;
            foreach (var process in _processes)
            {
                _coverage.MissedNodes += process.Client?.MissedNodes.Count ?? 0;
            }

            // A client restarted for missed nodes shares its predecessor's pairs.
            foreach (var probe in _processes.SelectMany(p => p.Probes).Distinct())
            {
                probe.Settle();
                _coverage.ConnectionsLostToExpiry += probe.LostToExpiry;
                _coverage.ConnectionsLostToRestart += probe.LostToRestart;
                _coverage.Readmissions += probe.Readmissions;
                _coverage.UsedAfterReadmission += probe.Reused;
            }
        }

        /// <summary>A fresh client under a never-used id reads every key; its reads join the history.</summary>
        private string? ReadEveryKey()
        {
            var wall = new SkewedTimeProvider(_truth, TimeSpan.Zero);
            var reader = new SwarmProcess(_processes.Count, Layout.MaxWriters, new NodeId(_nextNode++), wall,
                new SimulatedSwarmClock(() => _scheduler.Steps, 0));
            reader.Pairs = _memoryNodes.Select(m => _fabric.Connect(reader.Node, m)).ToArray();
            var start = SafeGuessClient.StartAsync(reader.WriterId, reader.Pairs, _layout, reader.GuessClock, wall);
            Drive(start);
            if (!start.IsCompletedSuccessfully)
            {
                return $"the final reader did not start: {start.Exception?.InnerException}";
            }

            for (var k = 0; k < _keys; k++)
            {
                var id = _recorder.BeginRead(reader.Index, $"k{k}");
                var read = start.Result.ReadAsync(KeyOf(k));
                Drive(read);
                if (!read.IsCompletedSuccessfully)
                {
                    return $"the final read of k{k} failed: {read.Exception?.InnerException}";
                }

                _recorder.CompleteRead(id, Decode(read.Result.Value));
            }

            return null;
        }

        private void Drive(Task task)
        {
            var jumps = 0;
            while (!task.IsCompleted)
            {
                if (_scheduler.RunOne())
                {
                    continue;
                }

                if (++jumps > IdleJumpBudget)
                {
                    throw new SimulationStuckException("the final reader is stuck (liveness)");
                }

                _truth.Advance(TimeSpan.FromMilliseconds(1));
            }
        }
    }

    private sealed class SimulationStuckException(string message) : Exception(message);
}
