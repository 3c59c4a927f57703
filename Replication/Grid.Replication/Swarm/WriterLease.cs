using System.Buffers.Binary;
using System.Security.Cryptography;
using Grid.RdmaTransport;
using Grid.Replication.Common;

namespace Grid.Replication.Swarm;

/// <summary>
/// A lease on one SWARM writer id, so that clients (silos) can start without being handed a
/// unique id (README, "Writer ids"). Each id has a lease word on every memory node
/// (<see cref="SwarmLayout.LeaseOffset"/>), and a client holds the id while its word is on a
/// majority. Acquiring reads the words from a majority, CASes a free id's word on those nodes
/// from what each showed, and keeps the id only if its CAS won on a majority: two majorities
/// share a node, and a node's word names one holder, so two racing clients never both win. A
/// holder renews well before expiry; one that finds another holder on a majority has lost the id
/// (<see cref="Lost"/>).
/// Leases give liveness, not safety: a client whose pause or clock let another take its id is
/// stopped by the incarnation check in its next write (<see cref="SafeGuessClient"/>), whatever
/// the lease says.
/// </summary>
public sealed class WriterLease : IAsyncDisposable
{
    private const uint RegionId = 0;
    private static readonly TimeSpan StragglerWait = TimeSpan.FromSeconds(1);
    private readonly IReadOnlyList<QueuePair> _nodes;
    private readonly SwarmLayout _layout;
    private readonly WriterLeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly uint _holder;
    private readonly long _skewSeconds;

    // Per node, the word a renewal CASes from: ours where our CAS won, else what the node last showed.
    private readonly ulong[] _expected;

    // The holders this lease took the id from: their words may be overwritten wherever they
    // remain (a node the take did not reach), never another holder's.
    private readonly HashSet<uint> _displaced;
    private readonly CancellationTokenSource _lost = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private CancellationTokenSource? _stopRenewing;
    private Task _renewLoop = Task.CompletedTask;
    private ulong _word;
    private int _disposed;

    private WriterLease(
        IReadOnlyList<QueuePair> nodes, SwarmLayout layout, WriterLeaseOptions options, TimeProvider time,
        int writerId, uint holder, ulong word, ulong[] expected, bool forced, DateTimeOffset safeFrom,
        IEnumerable<uint> displaced)
    {
        SafeFrom = safeFrom;
        _nodes = nodes;
        _layout = layout;
        _options = options;
        _time = time;
        WriterId = writerId;
        _holder = holder;
        _word = word;
        _expected = expected;
        _displaced = displaced.Where(h => h != 0 && h != holder).ToHashSet();
        _skewSeconds = SkewSeconds(options);
        Forced = forced;
    }

    /// <summary>The leased writer id (1..MaxWriters).</summary>
    public int WriterId { get; }

    /// <summary>Whether the id was named by the caller and taken whatever its lease word held (<see cref="TakeAsync"/>).</summary>
    public bool Forced { get; }

    /// <summary>
    /// When the lease runs out unless renewed (by the holder's clock): <see cref="WriterLeaseOptions.Duration"/>
    /// after the last take or renewal, rounded up to a whole second.
    /// </summary>
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(LeaseWord.Expires(Volatile.Read(ref _word)));

    /// <summary>
    /// Until when this holder may have batches land (by its clock): the lease's expiry while it
    /// is held, and long past once it was lost or released. A SWARM client stamps every batch with
    /// a deadline no later than this, so the id's next holder knows when the last one has landed
    /// (<see cref="SafeFrom"/>).
    /// </summary>
    public DateTimeOffset ValidUntil =>
        _lost.IsCancellationRequested || Volatile.Read(ref _disposed) != 0 ? DateTimeOffset.MinValue : ExpiresAt;

    /// <summary>
    /// When this holder may start writing under the id (by its clock): a grace period
    /// (<see cref="SwarmOptions.BufferGracePeriod"/>, at least the in-flight bound) after the
    /// previous holder's lease expired, so that none of that holder's batches, nor a slow
    /// reader's write-back into an entry it had freed, can land after this holder starts to
    /// reuse the id's entries and buffers (README, "Fencing"). In the past for a never-used id.
    /// </summary>
    public DateTimeOffset SafeFrom { get; }

    /// <summary>Cancelled once a renewal found another holder on a majority: the id is someone else's now.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why the lease was lost; null while it is held.</summary>
    public string? LostReason { get; private set; }

    /// <summary>
    /// Leases the lowest writer id that is free on a majority of the memory nodes (never leased,
    /// released, or expired for longer than the clock-skew allowance). Throws
    /// <see cref="SwarmCapacityException"/> when every id is held by a running client, and
    /// <see cref="QuorumUnavailableException"/> when no majority answers.
    /// </summary>
    public static async Task<WriterLease> AcquireAsync(
        IReadOnlyList<QueuePair> memoryNodes,
        SwarmLayout layout,
        WriterLeaseOptions? options = null,
        TimeProvider? time = null,
        Random? random = null,
        CancellationToken cancellationToken = default)
    {
        (options, time) = Check(memoryNodes, layout, options, time);
        var skew = SkewSeconds(options);
        int ChooseFree(ulong[]?[] seen, int attempt)
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            var free = Enumerable.Range(1, layout.Options.MaxWriters)
                .Where(id => seen.All(words => words is null || LeaseWord.IsFree(words[id - 1], now, skew)))
                .ToList();
            if (free.Count == 0)
            {
                throw new SwarmCapacityException(
                    $"all {layout.Options.MaxWriters} SWARM writer ids are leased by running clients; stop one, " +
                    "wait for a crashed one's lease to expire, or raise MaxWriters (the same layout on every client)");
            }

            // The lowest free id first; after a lost race a random one, so racers spread out.
            return attempt == 0 ? free[0] : free[(random ?? Random.Shared).Next(free.Count)];
        }

        return await RaceAsync(memoryNodes, layout, options, time, ChooseFree, forced: false, random, cancellationToken)
            .ConfigureAwait(false)
            ?? throw new SwarmCapacityException(
                $"no SWARM writer id could be leased in {options.AcquireAttempts} attempts: other clients kept taking the same ids");
    }

    /// <summary>
    /// Takes the lease of writer id <paramref name="writerId"/> whatever its word holds: for a
    /// client configured with a fixed id, which (as before leases) takes the id over from a
    /// previous holder; that holder loses its lease at its next renewal and is stopped by the
    /// incarnation check of its next write.
    /// </summary>
    public static async Task<WriterLease> TakeAsync(
        int writerId,
        IReadOnlyList<QueuePair> memoryNodes,
        SwarmLayout layout,
        WriterLeaseOptions? options = null,
        TimeProvider? time = null,
        Random? random = null,
        CancellationToken cancellationToken = default)
    {
        (options, time) = Check(memoryNodes, layout, options, time);
        if (writerId < 1 || writerId > layout.Options.MaxWriters)
        {
            throw new ArgumentOutOfRangeException(nameof(writerId), writerId,
                $"writer ids are 1..{layout.Options.MaxWriters} (SwarmOptions.MaxWriters)");
        }

        return await RaceAsync(memoryNodes, layout, options, time, (_, _) => writerId, forced: true, random, cancellationToken)
            .ConfigureAwait(false)
            ?? throw new SwarmWriterConflictException(
                $"writer id {writerId} could not be taken in {options.AcquireAttempts} attempts: another client keeps " +
                "taking it (two clients configured with the same writer id?)");
    }

    /// <summary>
    /// Renews the lease on the memory nodes: CAS of a later expiry from the word each node is
    /// expected to hold, and once more from what a node showed when that was free or ours (a
    /// restarted memory node comes back empty). True when a majority holds the renewed word;
    /// false when that could not be established this time (too few nodes answered, or another
    /// holder sits on some); a majority under another holder marks the lease <see cref="Lost"/>.
    /// </summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken = default)
    {
        await _renewing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_lost.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }

            var utcNow = _time.GetUtcNow();
            if (utcNow >= ExpiresAt)
            {
                // Ran out: from its expiry on, another client could lease the id, write under it
                // and lose it again; this holder's client state may be stale, so the lease is not
                // revived even if the words still allow it (README, "Fencing").
                MarkLost($"the lease of writer id {WriterId} ran out at {ExpiresAt:O} before it was renewed " +
                    "(this client paused, or could not reach a majority of the memory nodes)");
                return false;
            }

            var now = utcNow.ToUnixTimeSeconds();
            var word = LeaseWord.Make(_holder, LeaseWord.SecondsAtOrAfter(utcNow + _options.Duration));
            var quorum = _nodes.Count / 2 + 1;
            var targets = Enumerable.Repeat(true, _nodes.Count).ToArray();
            var wins = 0;
            var others = 0;
            for (var round = 0; round < 2; round++)
            {
                // Never from another holder's live word (that would take the node from it): from
                // there, CAS from our own word, which fails and shows what the node holds.
                var ours = Volatile.Read(ref _word);
                var from = _expected.Select(expected => Claimable(expected, now) ? expected : ours).ToArray();
                var batches = await CasEachAsync(
                    _nodes, _layout.LeaseOffset(WriterId), i => targets[i] ? (from[i], word) : null).ConfigureAwait(false);
                var repair = new bool[_nodes.Count];
                var repairs = 0;
                for (var i = 0; i < batches.Length; i++)
                {
                    if (batches[i] is not { } batch)
                    {
                        continue;
                    }

                    if (!Answered(batch))
                    {
                        // Late or failed: if it lands it holds our word; if not, the next CAS
                        // from our word fails and shows what the node holds.
                        _expected[i] = word;
                        continue;
                    }

                    var old = batch.Result(0);
                    if (old == from[i])
                    {
                        wins++;
                        _expected[i] = word;
                    }
                    else if (Claimable(old, now))
                    {
                        // Our older word, or free (a restarted memory node comes back zeroed).
                        _expected[i] = old;
                        repair[i] = true;
                        repairs++;
                    }
                    else
                    {
                        _expected[i] = old;
                        others++;
                    }
                }

                if (repairs == 0)
                {
                    break;
                }

                targets = repair;
            }

            if (wins >= quorum)
            {
                Volatile.Write(ref _word, word);
                return true;
            }

            if (others >= quorum)
            {
                MarkLost($"writer id {WriterId} is leased by another client on {others} of {_nodes.Count} memory nodes " +
                    "(this client paused past its lease, or another was started with this id)");
            }

            return false;
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>Renews every <see cref="WriterLeaseOptions.RenewInterval"/> until disposed or lost.</summary>
    public void StartRenewing()
    {
        if (_stopRenewing is not null)
        {
            return;
        }

        _stopRenewing = new CancellationTokenSource();
        _renewLoop = RenewLoopAsync(_stopRenewing.Token);
    }

    /// <summary>Stops renewing and frees the id on the nodes that still hold this lease's word.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_stopRenewing is { } stop)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await _renewLoop.ConfigureAwait(false);
            stop.Dispose();
        }

        await _renewing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_lost.IsCancellationRequested)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        while (!_lost.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RenewInterval, _time, cancellationToken).ConfigureAwait(false);
                await RenewAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Frees the id on the nodes expected to hold this lease's word (a CAS from it never frees
    /// someone else's lease). The word keeps this holder with an expiry of now plus a batch
    /// lifetime rather than going to 0: a batch posted just before may still be on its way, and
    /// the next holder starts only a grace period after that expiry (<see cref="SafeFrom"/>).
    /// </summary>
    private async Task ReleaseAsync()
    {
        var word = Volatile.Read(ref _word);
        var lastDeadline = _time.GetUtcNow() + _layout.Options.BatchLifetime;
        var released = LeaseWord.Make(_holder, Math.Min(LeaseWord.Expires(word), LeaseWord.SecondsAtOrAfter(lastDeadline)));
        await CasEachAsync(_nodes, _layout.LeaseOffset(WriterId), i => _expected[i] == word ? (word, released) : null)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a renewal may CAS from <paramref name="seen"/>: our own word, a word of a holder
    /// this lease took the id from (on a node the take did not reach), never leased or zeroed
    /// (a restarted volatile node), or expired past the skew allowance (a leftover of a lost
    /// race or of an earlier holder, which can no longer revive: see RenewAsync). Never a live
    /// word of any other holder: that holder may be this lease's successor.
    /// </summary>
    private bool Claimable(ulong seen, long now) =>
        LeaseWord.Holder(seen) == _holder || _displaced.Contains(LeaseWord.Holder(seen)) ||
        LeaseWord.IsFree(seen, now, _skewSeconds);

    private void MarkLost(string reason)
    {
        LostReason = reason;
        _lost.Cancel();
    }

    /// <summary>
    /// Rounds of read-then-CAS until <paramref name="choose"/>'s id is taken on a majority, with a
    /// random back-off between lost races; null when every attempt lost.
    /// </summary>
    private static async Task<WriterLease?> RaceAsync(
        IReadOnlyList<QueuePair> nodes, SwarmLayout layout, WriterLeaseOptions options, TimeProvider time,
        Func<ulong[]?[], int, int> choose, bool forced, Random? random, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < options.AcquireAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seen = await ReadLeaseWordsAsync(nodes, layout).ConfigureAwait(false);
            var lease = await TryTakeAsync(nodes, layout, options, time, choose(seen, attempt), seen, forced, random)
                .ConfigureAwait(false);
            if (lease is not null)
            {
                return lease;
            }

            // A random back-off on the injected clock and random source, so a simulation replays it.
            var backOff = TimeSpan.FromMilliseconds((random ?? Random.Shared).Next(1, 2 << Math.Min(attempt, 6)));
            await Task.Delay(backOff, time, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>CASes the id's word on every node that answered the read; the lease if a majority of CASes won, else null (wins undone).</summary>
    private static async Task<WriterLease?> TryTakeAsync(
        IReadOnlyList<QueuePair> nodes, SwarmLayout layout, WriterLeaseOptions options, TimeProvider time,
        int writerId, ulong[]?[] seen, bool forced, Random? random)
    {
        var holder = NewHolder(random);
        var word = LeaseWord.Make(holder, LeaseWord.SecondsAtOrAfter(time.GetUtcNow() + options.Duration));
        var quorum = nodes.Count / 2 + 1;
        var offset = layout.LeaseOffset(writerId);
        var expected = seen.Select(words => words?[writerId - 1] ?? 0).ToArray();
        var batches = new VerbBatch?[nodes.Count];
        for (var i = 0; i < batches.Length; i++)
        {
            if (seen[i] is not null)
            {
                batches[i] = new VerbBatch(1);
                batches[i]!.CompareAndSwap(RegionId, offset, expected[i], word);
            }
        }

        bool Won(int i) => Answered(batches[i]) && batches[i]!.Result(0) == expected[i];
        var call = QuorumCall.Start(nodes, batches, quorum);
        try
        {
            await call.Quorum.ConfigureAwait(false);
        }
        catch (QuorumUnavailableException)
        {
            // A node that answered the read failed since (its connection closed): the race is
            // lost this round; undo the wins below and read again from the nodes still up.
        }

        if (Enumerable.Range(0, nodes.Count).Count(Won) < quorum)
        {
            // Too few wins among the first answers: wait for the rest before deciding.
            await call.AllCompleted.ConfigureAwait(false);
        }

        var won = Enumerable.Range(0, nodes.Count).Select(Won).ToArray();
        if (won.Count(w => w) >= quorum)
        {
            // Where the CAS lost, the node's word; where it is unknown (not asked, failed, on
            // its way), ours: a renewal's CAS from it fails there and shows the node's word.
            var current = Enumerable.Range(0, nodes.Count)
                .Select(i => !won[i] && Answered(batches[i]) ? batches[i]!.Result(0) : word)
                .ToArray();
            return new WriterLease(
                nodes, layout, options, time, writerId, holder, word, current, forced, SafeFromAfter(layout, expected),
                expected.Where((_, i) => won[i]).Select(LeaseWord.Holder));
        }

        // Put back what the lost race displaced, so the word does not block the id until expiry.
        await CasEachAsync(nodes, offset, i => won[i] ? (word, expected[i]) : null).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// The grace period after the latest expiry among the previous holders' words: every batch
    /// a holder stamps has a deadline within its lease, lands at most
    /// <see cref="SwarmOptions.MaxInFlight"/> after that or never, and a reader's write-back into
    /// an entry freed by that holder lands within half a grace period plus twice that bound.
    /// </summary>
    private static DateTimeOffset SafeFromAfter(SwarmLayout layout, ulong[] previous)
    {
        var latest = previous.Where(w => w != 0).Select(LeaseWord.Expires).DefaultIfEmpty(-1).Max();
        if (latest < 0)
        {
            return DateTimeOffset.MinValue;
        }

        var wait = layout.Options.BufferGracePeriod > 3 * layout.Options.ClockSkewAllowance + TimeSpan.FromSeconds(1)
            ? layout.Options.BufferGracePeriod
            : 3 * layout.Options.ClockSkewAllowance + TimeSpan.FromSeconds(1);
        return DateTimeOffset.FromUnixTimeSeconds(latest) + wait;
    }

    /// <summary>Whether a posted batch has completed without error.</summary>
    private static bool Answered(VerbBatch? batch) => batch is { IsPosted: false, Error: TransportError.None };

    /// <summary>
    /// Posts a CAS at <paramref name="offset"/> on each node that <paramref name="cas"/> gives an
    /// (expected, desired) pair, and waits for the answers, a frozen node's for at most a
    /// second. The caller judges each batch with <see cref="Answered"/>; a late one counts as unknown.
    /// </summary>
    private static async Task<VerbBatch?[]> CasEachAsync(
        IReadOnlyList<QueuePair> nodes, ulong offset, Func<int, (ulong Expected, ulong Desired)?> cas)
    {
        var batches = new VerbBatch?[nodes.Count];
        for (var i = 0; i < batches.Length; i++)
        {
            if (cas(i) is var (expected, desired))
            {
                batches[i] = new VerbBatch(1);
                batches[i]!.CompareAndSwap(RegionId, offset, expected, desired);
            }
        }

        if (batches.All(b => b is null))
        {
            return batches;
        }

        try
        {
            var call = await QuorumCall.RunAsync(nodes, batches, 1).ConfigureAwait(false);
            await call.AllCompleted.WaitAsync(StragglerWait).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is QuorumUnavailableException or TimeoutException)
        {
            // Every target failed, or one is frozen: judged per batch.
        }

        return batches;
    }

    /// <summary>Every id's lease word from a majority; null for a node that did not answer in time.</summary>
    private static async Task<ulong[]?[]> ReadLeaseWordsAsync(IReadOnlyList<QueuePair> nodes, SwarmLayout layout)
    {
        var writers = layout.Options.MaxWriters;
        var buffers = new byte[nodes.Count][];
        var batches = new VerbBatch?[nodes.Count];
        for (var i = 0; i < batches.Length; i++)
        {
            buffers[i] = new byte[writers * 8];
            batches[i] = new VerbBatch(1);
            batches[i]!.Read(RegionId, (ulong)layout.LeasesOffset, buffers[i]);
        }

        var call = await QuorumCall.RunAsync(nodes, batches, nodes.Count / 2 + 1).ConfigureAwait(false);
        var seen = new ulong[]?[nodes.Count];
        for (var i = 0; i < seen.Length; i++)
        {
            if (call.Succeeded[i])
            {
                var words = new ulong[writers];
                for (var w = 0; w < writers; w++)
                {
                    words[w] = BinaryPrimitives.ReadUInt64LittleEndian(buffers[i].AsSpan(w * 8));
                }

                seen[i] = words;
            }
        }

        return seen;
    }

    private static (WriterLeaseOptions, TimeProvider) Check(
        IReadOnlyList<QueuePair> nodes, SwarmLayout layout, WriterLeaseOptions? options, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(layout);
        if (nodes.Count < 1 || nodes.Count % 2 == 0)
        {
            throw new ArgumentException($"SWARM needs an odd number 2f+1 of memory nodes, not {nodes.Count}", nameof(nodes));
        }

        options ??= new WriterLeaseOptions();
        options.Validate();
        return (options, time ?? TimeProvider.System);
    }

    private static long SkewSeconds(WriterLeaseOptions options) => (long)Math.Ceiling(options.ClockSkewAllowance.TotalSeconds);

    /// <summary>A holder token: from the injected random source when given (a simulation), else from the OS.</summary>
    private static uint NewHolder(Random? random)
    {
        uint holder;
        do
        {
            holder = random is null
                ? BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4))
                : (uint)random.NextInt64(1, 1L << 32);
        }
        while (holder == 0);
        return holder;
    }
}
