using System.Buffers.Binary;
using Grid.RdmaTransport.InProc;
using Grid.Testing.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Grid.RdmaTransport.Tests;

/// <summary>
/// <see cref="ReconnectingQueuePair"/> on the in-process fabric with virtual time: a lost
/// connection is refused, redialed with seeded back-off and re-admitted only with the same memory,
/// and only once no batch of the old connection can land. The node's clock lags the client's by
/// the whole skew allowance, the worst case the 2 S rule must cover.
/// </summary>
public sealed class ReconnectingQueuePairTests : IDisposable
{
    private static readonly NodeId Client = new(1);
    private static readonly NodeId Node = new(1000);
    private static readonly TimeSpan Skew = TimeSpan.FromMilliseconds(500);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly InProcFabric _fabric;
    private readonly CapturingLogger _log = new();
    private readonly List<DateTimeOffset> _dials = [];
    private bool _down;

    public ReconnectingQueuePairTests()
    {
        _fabric = new InProcFabric(new InProcFabricOptions
        {
            TimeProvider = new ShiftedTimeProvider(_time, -Skew),
            OperationTimeout = TimeSpan.FromSeconds(1),
            Deadlines = new BatchDeadline(Skew, TimeSpan.FromSeconds(10)),
        });
        _fabric.AddEndpoint(Node).RegisterRegion(4096);
    }

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public async Task A_lost_connection_is_refused_redialed_with_backoff_and_used_again_only_when_old_batches_cannot_land()
    {
        await using var pair = Open(seed: 1);
        await pair.WriteAsync(0, 0, Word(1));
        Assert.Equal(ReconnectState.Connected, pair.Status.State);

        // The node runs the next batch but its completion is lost; a later batch waits in the network.
        _fabric.Faults.DropLink(Node, Client);
        var lost = pair.PostAsync(Dated(8, 2, TimeSpan.FromSeconds(1))).AsTask();
        _fabric.Faults.Heal();
        _fabric.Faults.HoldLink(Client, Node);
        var delayed = Dated(16, 3, TimeSpan.FromSeconds(9));
        var delayedTask = pair.PostAsync(delayed).AsTask();
        var usableAt = delayed.NotAfter!.Value + 2 * Skew + TimeSpan.FromTicks(1);
        _down = true;
        _time.Advance(TimeSpan.FromSeconds(1));

        var timeout = await Assert.ThrowsAsync<TransportException>(() => lost);
        Assert.Equal(TransportError.Timeout, timeout.Error);
        Assert.Equal(ReconnectState.Reconnecting, pair.Status.State);
        Assert.Equal(QueuePairState.Closed, pair.State);
        var refused = await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        Assert.Equal(TransportError.PeerUnreachable, refused.Error);
        Assert.Contains("memory node node-a is unreachable; reconnecting", refused.Message, StringComparison.Ordinal);
        Assert.Single(_log.Find(LogLevel.Warning, "memory node node-a: connection lost"));

        // While the node is down, each attempt waits twice as long, capped, less up to half by jitter.
        var closedAt = _time.GetUtcNow();
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            AdvanceToNextAttempt(pair);
            Assert.Equal(attempt, _dials.Count);
            Assert.Equal(attempt, pair.Status.Attempts);
            var waited = _dials[^1] - (attempt == 1 ? closedAt : _dials[^2]);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt - 1), 1000));
            Assert.InRange(waited, backoff / 2, backoff);
        }

        // The node answers again, with the same memory: connected, but held back (draining).
        _down = false;
        AdvanceToNextAttempt(pair);
        Assert.Equal(ReconnectState.Draining, pair.Status.State);
        Assert.Equal(usableAt, pair.Status.NextAttemptAt);
        var early = await Assert.ThrowsAsync<TransportException>(() => pair.WriteAsync(16, 0, Word(9)).AsTask());
        Assert.Contains("connected again but not used until", early.Message, StringComparison.Ordinal);

        // One tick before it is used, the old connection's delayed batch can still land: it does.
        _time.Advance(usableAt - _time.GetUtcNow() - TimeSpan.FromTicks(1));
        Assert.Equal(ReconnectState.Draining, pair.Status.State);
        _fabric.Faults.ReleaseLink(Client, Node);
        await delayedTask;
        Assert.Equal(3UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(16));

        // From the next tick on no old batch can land (the node's clock is past its deadline + S).
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ReconnectState.Connected, pair.Status.State);
        Assert.Equal(1, pair.Status.Reconnects);
        await pair.WriteAsync(0, 16, Word(4));
        Assert.Equal(4UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(16));
        Assert.Equal(1UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(0));
        Assert.Single(_log.Find(LogLevel.Information, "memory node node-a: reconnected to the same memory"));
    }

    [Fact]
    public async Task A_batch_of_the_old_connection_released_after_the_wait_is_refused_by_the_node()
    {
        await using var pair = Open(seed: 2);
        _fabric.Faults.DropLink(Node, Client);
        var lost = pair.PostAsync(Dated(8, 2, TimeSpan.FromSeconds(1))).AsTask();
        _fabric.Faults.Heal();
        _fabric.Faults.HoldLink(Client, Node);
        var delayed = Dated(16, 3, TimeSpan.FromSeconds(2));
        var delayedTask = pair.PostAsync(delayed).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TransportException>(() => lost);

        AdvanceToNextAttempt(pair);
        AdvanceToNextAttempt(pair);
        Assert.Equal(ReconnectState.Connected, pair.Status.State);
        _fabric.Faults.ReleaseLink(Client, Node);
        await pair.WriteAsync(0, 24, Word(5));

        var expired = await Assert.ThrowsAsync<TransportException>(() => delayedTask);
        Assert.Equal(TransportError.Expired, expired.Error);
        Assert.Equal(0UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(16));
        Assert.Equal(5UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(24));
    }

    [Fact]
    public async Task A_node_that_restarts_with_its_memory_is_used_again_with_its_bytes()
    {
        await using var pair = Open(seed: 3);
        await pair.WriteAsync(0, 0, Word(42));
        var admitted = pair.RemoteIdentity;

        _fabric.Faults.Restart(Node, keepMemory: true);
        var closed = await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        Assert.Equal(TransportError.ConnectionClosed, closed.Error);
        AdvanceToNextAttempt(pair);
        // The write before the restart was stamped now + 5 s (it had no deadline): wait it out.
        Assert.Equal(ReconnectState.Draining, pair.Status.State);
        AdvanceToNextAttempt(pair);

        Assert.Equal(ReconnectState.Connected, pair.Status.State);
        Assert.Equal(admitted, pair.RemoteIdentity);
        var seen = new byte[8];
        await pair.ReadAsync(0, 0, seen);
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
    }

    [Fact]
    public async Task A_node_that_comes_back_empty_needs_a_rebuild_and_is_never_used_again()
    {
        await using var pair = Open(seed: 4);
        await pair.WriteAsync(0, 0, Word(42));
        var admitted = pair.RemoteIdentity!;

        _fabric.Faults.Restart(Node, keepMemory: false);
        await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        for (var probe = 0; probe < 4; probe++)
        {
            AdvanceToNextAttempt(pair);
            Assert.Equal(ReconnectState.NeedsRebuild, pair.Status.State);
        }

        var status = pair.Status;
        Assert.Equal(admitted, status.Admitted);
        Assert.Equal(_fabric.GetEndpoint(Node).Identity, status.Seen);
        Assert.NotEqual(admitted.Incarnation, status.Seen!.Incarnation);
        Assert.Equal(QueuePairState.Closed, pair.State);
        var refused = await Assert.ThrowsAsync<TransportException>(() => pair.WriteAsync(0, 0, Word(7)).AsTask());
        Assert.Equal(TransportError.PeerUnreachable, refused.Error);
        Assert.Contains("needs a rebuild and is not counted in any quorum", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"incarnation {status.Seen.IncarnationText}, not the admitted {admitted.IncarnationText}",
            refused.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(0));
        // Logged once, not at every probe.
        Assert.Single(_log.Find(LogLevel.Error, "memory node node-a needs rebuild and is not counted in any quorum"));
    }

    [Fact]
    public async Task A_node_that_was_down_at_start_is_connected_when_it_comes_up()
    {
        _fabric.Faults.Crash(Node);
        await using var pair = new ReconnectingQueuePair(Client, Node, "node-a", DialAsync, Options(5), logger: _log);
        Assert.Equal(ReconnectState.Reconnecting, pair.Status.State);
        Assert.Null(pair.RemoteIdentity);
        AdvanceToNextAttempt(pair);
        AdvanceToNextAttempt(pair);
        Assert.Equal(2, pair.Status.Attempts);
        Assert.Contains("has crashed", pair.Status.Detail, StringComparison.Ordinal);

        _fabric.Faults.Restart(Node, keepMemory: true);
        AdvanceToNextAttempt(pair);

        Assert.Equal(ReconnectState.Connected, pair.Status.State);
        Assert.Equal(_fabric.GetEndpoint(Node).Identity, pair.RemoteIdentity);
        await pair.WriteAsync(0, 0, Word(6));
        Assert.Equal(6UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(0));
        Assert.Equal(0, pair.Status.Attempts);
    }

    [Fact]
    public async Task Backoff_replays_from_its_seed()
    {
        async Task<List<TimeSpan>> WaitsAsync(int seed)
        {
            _dials.Clear();
            _fabric.Faults.Crash(Node);
            var start = _time.GetUtcNow();
            await using var pair = new ReconnectingQueuePair(Client, Node, "node-a", DialAsync, Options(seed));
            for (var i = 0; i < 8; i++)
            {
                AdvanceToNextAttempt(pair);
            }

            return _dials.Select(d => d - start).ToList();
        }

        var first = await WaitsAsync(11);
        var again = await WaitsAsync(11);
        var other = await WaitsAsync(12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_pinned_view_stays_on_its_connection_and_never_moves_to_the_next()
    {
        await using var pair = Open(seed: 8);
        var pinned = pair.Pin();
        await pinned.WriteAsync(0, 0, Word(1));

        _fabric.Faults.Restart(Node, keepMemory: true);
        await Assert.ThrowsAsync<TransportException>(() => pinned.ReadAsync(0, 0, new byte[8]).AsTask());
        var whileDown = pair.Pin();
        AdvanceToNextAttempt(pair);
        AdvanceToNextAttempt(pair);
        Assert.Equal(ReconnectState.Connected, pair.Status.State);

        // The pair itself is connected again; the views taken before are not.
        await pair.WriteAsync(0, 8, Word(2));
        var gone = await Assert.ThrowsAsync<TransportException>(() => pinned.WriteAsync(0, 16, Word(3)).AsTask());
        Assert.Equal(TransportError.ConnectionClosed, gone.Error);
        var never = await Assert.ThrowsAsync<TransportException>(() => whileDown.WriteAsync(0, 16, Word(3)).AsTask());
        Assert.Equal(TransportError.PeerUnreachable, never.Error);
        Assert.Equal(0UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(16));
        await pair.Pin().WriteAsync(0, 16, Word(4));
        Assert.Equal(4UL, _fabric.GetEndpoint(Node).Regions[0].ReadWord(16));
        Assert.Same(pinned.RemoteIdentity, pair.RemoteIdentity);
    }

    [Fact]
    public async Task A_batch_posted_without_a_deadline_gets_one_afresh_at_every_post()
    {
        await using var pair = Open(seed: 6);
        var batch = new VerbBatch();
        batch.Write(0, 0, Word(1));

        await pair.PostAsync(batch);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), batch.NotAfter);
        _time.Advance(TimeSpan.FromSeconds(30));
        await pair.PostAsync(batch);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), batch.NotAfter);

        // A caller's own deadline is left alone.
        var dated = Dated(8, 2, TimeSpan.FromSeconds(2));
        var deadline = dated.NotAfter;
        await pair.PostAsync(dated);
        Assert.Equal(deadline, dated.NotAfter);
    }

    [Fact]
    public async Task Completions_are_counted_on_the_reconnecting_pair()
    {
        await using var pair = Open(seed: 7);
        await pair.WriteAsync(0, 0, Word(1));
        await pair.ReadAsync(0, 0, new byte[8]);
        _fabric.Faults.Crash(Node);
        await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());

        Assert.Equal(4, pair.Statistics.Roundtrips);
        Assert.Equal(2, pair.Statistics.Errors);
    }

    [Fact]
    public async Task Losses_attempts_readmissions_and_refusals_are_counted_on_the_transport_meter()
    {
        // Own node ids: the meter is process-wide and other tests run alongside.
        var client = new NodeId(7701);
        var node = new NodeId(7702);
        _fabric.AddEndpoint(node).RegisterRegion(4096);
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TransportMetrics.MeterName && instrument.Name == "grid.transport.reconnects")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var remote = tags.ToArray().FirstOrDefault(t => t.Key == "remote").Value;
            if (remote is uint id && id == node.Value)
            {
                events.Enqueue((string)tags.ToArray().First(t => t.Key == "event").Value!);
            }
        });
        listener.Start();
        await using var pair = new ReconnectingQueuePair(client, node, "node-m", _ => Task.FromResult(_fabric.Connect(client, node)),
            Options(9), connected: _fabric.Connect(client, node));

        _fabric.Faults.Restart(node, keepMemory: true);
        await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        AdvanceToNextAttempt(pair);
        AdvanceToNextAttempt(pair);
        Assert.Equal(ReconnectState.Connected, pair.Status.State);
        _fabric.Faults.Restart(node, keepMemory: false);
        await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        AdvanceToNextAttempt(pair);

        Assert.Equal(["lost", "attempt", "readmitted", "lost", "attempt", "refused"], events.ToArray());
    }

    [Theory]
    [InlineData("InitialDelay")]
    [InlineData("MaxDelay")]
    [InlineData("Jitter")]
    [InlineData("ClockSkewAllowance")]
    [InlineData("UndatedBatchLifetime")]
    public void Bad_options_are_refused_by_name(string name)
    {
        var options = new ReconnectOptions();
        switch (name)
        {
            case "InitialDelay":
                options.InitialDelay = TimeSpan.Zero;
                break;
            case "MaxDelay":
                options.MaxDelay = TimeSpan.FromMilliseconds(10);
                break;
            case "Jitter":
                options.Jitter = 1;
                break;
            case "ClockSkewAllowance":
                options.ClockSkewAllowance = TimeSpan.FromMilliseconds(-1);
                break;
            default:
                options.UndatedBatchLifetime = TimeSpan.FromSeconds(11);
                break;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(name, ex.ParamName);
    }

    private ReconnectingQueuePair Open(int seed) =>
        new(Client, Node, "node-a", DialAsync, Options(seed), connected: _fabric.Connect(Client, Node), logger: _log);

    private ReconnectOptions Options(int seed) => new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromSeconds(1),
        Jitter = 0.5,
        JitterSeed = seed,
        ClockSkewAllowance = Skew,
        TimeProvider = _time,
    };

    private Task<QueuePair> DialAsync(CancellationToken cancellationToken)
    {
        _dials.Add(_time.GetUtcNow());
        if (_down)
        {
            throw new TransportException(TransportError.PeerUnreachable, "connection refused (the test holds the node down)");
        }

        // A crashed node gives an UnreachableQueuePair, closed from the start: a failed attempt.
        return Task.FromResult(_fabric.Connect(Client, Node));
    }

    /// <summary>Moves virtual time to the pair's next dial (or to the end of its drain).</summary>
    private void AdvanceToNextAttempt(ReconnectingQueuePair pair)
    {
        var next = pair.Status.NextAttemptAt ?? throw new InvalidOperationException($"no attempt is due: {pair.Status}");
        _time.Advance(next - _time.GetUtcNow());
    }

    private VerbBatch Dated(ulong offset, ulong value, TimeSpan lifetime)
    {
        var batch = new VerbBatch();
        batch.Write(0, offset, Word(value));
        batch.NotAfter = _time.GetUtcNow() + lifetime;
        return batch;
    }

    private static byte[] Word(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>A clock that reads another one shifted by a fixed offset (a node whose clock lags).</summary>
    private sealed class ShiftedTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }
}
