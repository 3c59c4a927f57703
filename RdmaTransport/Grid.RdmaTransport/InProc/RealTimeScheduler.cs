using System.Diagnostics;

namespace Grid.RdmaTransport.InProc;

/// <summary>
/// The default scheduler: a batch with no modelled delay executes and completes on the posting
/// thread; a delayed one waits in a delay queue served by one thread that spins for short waits,
/// so microsecond latency models stay close to what they ask. Dropped batches complete with a
/// timeout after the fabric's operation timeout.
/// </summary>
public sealed class RealTimeScheduler : IFabricScheduler
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _operationTimeout;
    private readonly PriorityQueue<(InFlightBatch Flight, bool Execute), (long Due, long Sequence)>
        _queue = new();
    private readonly object _queueLock = new();
    private Thread? _thread;
    private long _sequence;
    private bool _disposed;

    public RealTimeScheduler(TimeSpan operationTimeout, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(operationTimeout, TimeSpan.Zero);
        _operationTimeout = operationTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public void Schedule(InFlightBatch flight)
    {
        ArgumentNullException.ThrowIfNull(flight);
        if (flight.RequestDropped)
        {
            CompleteAfterTimeout(flight);
            return;
        }

        var lane = flight.Lane;
        var inline = false;
        lock (lane.LaneLock)
        {
            if (flight.OneWayDelay == TimeSpan.Zero && lane.DelayedCount == 0)
            {
                flight.ExecuteAll();
                inline = true;
            }
            else
            {
                var due = Math.Max(Due(flight.OneWayDelay), lane.LastExecuteDue);
                lane.LastExecuteDue = due;
                lane.DelayedCount++;
                Enqueue(flight, execute: true, due);
            }
        }

        if (inline)
        {
            Finish(flight);
        }
    }

    public void Dispose()
    {
        lock (_queueLock)
        {
            _disposed = true;
            Monitor.PulseAll(_queueLock);
        }
    }

    private static long Due(TimeSpan delay) =>
        Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);

    private void Finish(InFlightBatch flight)
    {
        if (flight.ResponseDropped)
        {
            CompleteAfterTimeout(flight);
        }
        else if (flight.OneWayDelay == TimeSpan.Zero)
        {
            flight.Complete();
        }
        else
        {
            var lane = flight.Lane;
            long due;
            lock (lane.LaneLock)
            {
                due = Math.Max(Due(flight.OneWayDelay), lane.LastCompleteDue);
                lane.LastCompleteDue = due;
            }

            Enqueue(flight, execute: false, due);
        }
    }

    private void CompleteAfterTimeout(InFlightBatch flight)
    {
        ITimer? timer = null;
        timer = _timeProvider.CreateTimer(
            _ =>
            {
                timer?.Dispose();
                flight.Complete();
            },
            null, _operationTimeout, Timeout.InfiniteTimeSpan);
    }

    private void Enqueue(InFlightBatch flight, bool execute, long due)
    {
        lock (_queueLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Enqueue((flight, execute), (due, _sequence++));
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "grid-inproc-delay" };
                _thread.Start();
            }

            Monitor.Pulse(_queueLock);
        }
    }

    private void Run()
    {
        while (TryTakeDue(out var item))
        {
            if (item.Execute)
            {
                var lane = item.Flight.Lane;
                lock (lane.LaneLock)
                {
                    item.Flight.ExecuteAll();
                    lane.DelayedCount--;
                }

                Finish(item.Flight);
            }
            else
            {
                item.Flight.Complete();
            }
        }
    }

    private bool TryTakeDue(out (InFlightBatch Flight, bool Execute) item)
    {
        var spinner = new SpinWait();
        while (true)
        {
            lock (_queueLock)
            {
                if (_disposed)
                {
                    item = default;
                    return false;
                }

                if (!_queue.TryPeek(out item, out var priority))
                {
                    Monitor.Wait(_queueLock);
                    continue;
                }

                var remaining = priority.Due - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    _queue.Dequeue();
                    return true;
                }

                // Sleep through long waits; spin through the last two milliseconds.
                var remainingMs = remaining * 1000 / Stopwatch.Frequency;
                if (remainingMs > 2)
                {
                    Monitor.Wait(_queueLock, (int)(remainingMs - 1));
                    continue;
                }
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
