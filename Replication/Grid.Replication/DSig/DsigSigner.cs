using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Grid.RdmaTransport;
using NSec.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>
/// The signer (specs/dsig.md §3, §5.1). A background thread keeps
/// <see cref="DsigSignerOptions.PreparedKeysPerGroup"/> one-time keys ready for every verifier
/// group: it reserves a batch sequence number (persisting the high-water mark first), makes the
/// batch, signs its root with the long-term Ed25519 key, sends it to every member of the group,
/// and only then makes its keys available. <see cref="Sign"/> takes the next unused key of the
/// group (one atomic increment), hashes the message once and copies 68 stored values: no
/// public-key operation, no allocation. Keys are never used twice: each is claimed once, batches
/// are never reissued, sequence numbers never repeat across restarts (<see cref="SequenceFile"/>),
/// and the master seed is fresh at every start. Thread-safe.
/// </summary>
public sealed class DsigSigner : IDisposable
{
    /// <summary>Sequence numbers fit the index field above the 7-bit key position.</summary>
    public const ulong BatchSequenceMax = (1UL << (64 - DsigParameters.TreeDepth)) - 1;

    private readonly DsigSignerOptions _options;
    private readonly Key _signingKey;
    private readonly IDsigBatchTransport _transport;
    private readonly byte[] _masterSeed = new byte[OneTimeKeyGenerator.MasterSeedBytes];
    private readonly List<DsigVerifierGroup> _groups = [];
    private readonly ConcurrentQueue<SignerBatch> _retired = new();
    private readonly ConcurrentBag<byte[]> _recycled = [];
    private readonly AutoResetEvent _work = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _groupsGate = new();
    private readonly object _sequenceGate = new();
    private Thread? _thread;
    private ulong _nextSequence;
    private ulong _reservedThrough;
    private long _batches;
    private long _backgroundTicks;
    private long _sendFailures;
    private Exception? _failure;
    private int _disposed;

    public DsigSigner(NodeId self, Key signingKey, IDsigBatchTransport transport, DsigSignerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(transport);
        if (signingKey.Algorithm != SignatureAlgorithm.Ed25519)
        {
            throw new ArgumentException("the long-term key must be Ed25519", nameof(signingKey));
        }

        _options = options ?? new DsigSignerOptions();
        _options.Validate();
        Self = self;
        _signingKey = signingKey;
        _transport = transport;
        _options.FillRandom(_masterSeed);
        var mark = _options.SequenceFilePath is null ? 0 : SequenceFile.Read(_options.SequenceFilePath);
        if (mark >= BatchSequenceMax)
        {
            throw new InvalidOperationException("DSig batch sequence numbers are exhausted for this key");
        }

        _nextSequence = mark + 1;
        _reservedThrough = mark;
    }

    public NodeId Self { get; }

    public PublicKey PublicKey => _signingKey.PublicKey;

    public DsigSignerStatistics Statistics => new(
        Interlocked.Read(ref _batches),
        KeysUsed(),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _backgroundTicks)),
        Interlocked.Read(ref _sendFailures));

    /// <summary>
    /// The group of <paramref name="verifiers"/> (this signer excluded: a process does not
    /// verify its own signatures), registered on first use; the background plane then keeps
    /// keys ready for it. Cheap after the first call, but callers should keep the handle.
    /// </summary>
    public DsigVerifierGroup Group(IEnumerable<NodeId> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var members = verifiers.Where(v => v != Self).Distinct().OrderBy(v => v.Value).ToArray();
        lock (_groupsGate)
        {
            foreach (var group in _groups)
            {
                if (group.Verifiers.SequenceEqual(members))
                {
                    return group;
                }
            }

            var created = new DsigVerifierGroup(this, members);
            _groups.Add(created);
            _work.Set();
            return created;
        }
    }

    /// <summary>Starts the background plane.</summary>
    public void Start()
    {
        lock (_groupsGate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_thread is not null)
            {
                return;
            }

            _thread = new Thread(Run) { IsBackground = true, Name = $"dsig-signer-{Self.Value}" };
            _thread.Start();
        }
    }

    /// <summary>
    /// Signs <paramref name="message"/> for <paramref name="expectedVerifiers"/> into
    /// <paramref name="signature"/> (<see cref="DsigParameters.SignatureBytes"/> bytes), for
    /// <paramref name="purpose"/>. Waits for the background plane only when no key is ready.
    /// </summary>
    public void Sign(
        ReadOnlySpan<byte> message, DsigVerifierGroup expectedVerifiers, DsigPurpose purpose, Span<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(expectedVerifiers);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!ReferenceEquals(expectedVerifiers.Owner, this))
        {
            throw new ArgumentException("the group belongs to another signer", nameof(expectedVerifiers));
        }

        if (signature.Length < DsigParameters.SignatureBytes)
        {
            throw new ArgumentException($"a DSig signature takes {DsigParameters.SignatureBytes} bytes", nameof(signature));
        }

        var (batch, keyIndex) = TakeKey(expectedVerifiers);
        try
        {
            batch.Sign(keyIndex, new DsigDomain(Self, purpose), message, signature);
        }
        finally
        {
            batch.MarkFinished();
        }
    }

    /// <summary>Signs into a new array.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message, DsigVerifierGroup expectedVerifiers, DsigPurpose purpose)
    {
        var signature = new byte[DsigParameters.SignatureBytes];
        Sign(message, expectedVerifiers, purpose, signature);
        return signature;
    }

    /// <summary>
    /// Fills every group up to its target on the calling thread (what the background plane
    /// does): for tests and benchmarks that want a deterministic schedule. Returns batches made.
    /// </summary>
    public int PrepareNow(CancellationToken cancellationToken = default)
    {
        var made = 0;
        EraseRetired();
        while (FillOnce(cancellationToken))
        {
            made++;
        }

        EraseRetired();
        return made;
    }

    /// <summary>
    /// Stops the background plane and erases every secret. Idempotent; signing afterwards throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _work.Set();
        _thread?.Join();
        foreach (var group in SnapshotGroups())
        {
            lock (group.Gate)
            {
                group.Current?.Erase();
                foreach (var batch in group.Ready)
                {
                    batch.Erase();
                }

                group.Ready.Clear();
                group.Current = null;
            }
        }

        EraseRetired(force: true);
        _recycled.Clear();
        CryptographicOperations.ZeroMemory(_masterSeed);
        _work.Dispose();
        _stop.Dispose();
    }

    private (SignerBatch Batch, int KeyIndex) TakeKey(DsigVerifierGroup group)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.KeyWaitTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var batch = group.Current;
            if (batch is not null && batch.TryTake(out var keyIndex))
            {
                // Wake the background plane when the group first falls short, then every 64
                // keys: waking it on every signature would cost more than the signature.
                var ready = Interlocked.Decrement(ref group.ReadyKeys);
                if (ready == _options.PreparedKeysPerGroup - 1 || (ready & 63) == 0)
                {
                    _work.Set();
                }

                return (batch, keyIndex);
            }

            lock (group.Gate)
            {
                if (ReferenceEquals(group.Current, batch))
                {
                    if (batch is not null)
                    {
                        _retired.Enqueue(batch);
                    }

                    group.Current = group.Ready.TryDequeue(out var next) ? next : null;
                    if (group.Current is not null)
                    {
                        continue;
                    }

                    _work.Set();
                    if (_failure is not null)
                    {
                        throw new InvalidOperationException("the DSig background plane failed", _failure);
                    }

                    if (_thread is null)
                    {
                        throw new InvalidOperationException(
                            "no DSig key is ready: Start() the signer (or PrepareNow() in tests)");
                    }

                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new TimeoutException("no DSig key became ready in time");
                    }

                    Monitor.Wait(group.Gate, TimeSpan.FromMilliseconds(50));
                }
            }
        }
    }

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                EraseRetired();
                if (!FillOnce(_stop.Token))
                {
                    _work.WaitOne(TimeSpan.FromMilliseconds(100));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Most likely the sequence file could not be written: stop making keys rather than
            // risk reuse (and never take the process down from a background thread). Signers
            // waiting for keys see the failure.
            _failure = ex;
            foreach (var group in SnapshotGroups())
            {
                lock (group.Gate)
                {
                    Monitor.PulseAll(group.Gate);
                }
            }
        }
    }

    /// <summary>Makes and ships one batch for the neediest group; false when all are full.</summary>
    private bool FillOnce(CancellationToken cancellationToken)
    {
        DsigVerifierGroup? neediest = null;
        foreach (var group in SnapshotGroups())
        {
            var ready = Volatile.Read(ref group.ReadyKeys);
            if (ready < _options.PreparedKeysPerGroup && (neediest is null || ready < neediest.ReadyKeys))
            {
                neediest = group;
            }
        }

        if (neediest is null)
        {
            return false;
        }

        var started = Stopwatch.GetTimestamp();
        var sequence = ReserveSequence();
        _recycled.TryTake(out var buffer);
        var batch = SignerBatch.Generate(_masterSeed, Self, sequence, _signingKey, buffer);
        try
        {
            // The batch leaves before any of its keys can sign (§3 step 9). A dedicated thread,
            // so waiting here blocks nobody else.
            Ship(batch, neediest.Verifiers, cancellationToken);
        }
        catch
        {
            // Stopping: these keys will never be handed out, so their secrets go now.
            batch.Erase();
            throw;
        }

        lock (neediest.Gate)
        {
            neediest.Ready.Enqueue(batch);
            Interlocked.Add(ref neediest.ReadyKeys, DsigParameters.BatchKeys);
            Monitor.PulseAll(neediest.Gate);
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _backgroundTicks, Stopwatch.GetTimestamp() - started);
        return true;
    }

    /// <summary>
    /// Sends <paramref name="batch"/> to every verifier of a group at once and waits for all,
    /// each for at most <see cref="DsigSignerOptions.SendTimeout"/>. A failed or late send only
    /// costs that verifier the fast path for this batch; stopping the signer aborts the wait.
    /// </summary>
    private void Ship(SignerBatch batch, IReadOnlyList<NodeId> verifiers, CancellationToken cancellationToken)
    {
        if (verifiers.Count == 0)
        {
            return;
        }

        var sends = new Task[verifiers.Count];
        for (var i = 0; i < verifiers.Count; i++)
        {
            sends[i] = SendOne(verifiers[i], batch.Message, cancellationToken);
        }

        Task.WaitAll(sends, cancellationToken);
    }

    private async Task SendOne(NodeId verifier, byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _transport.SendAsync(verifier, message, cancellationToken)
                .AsTask()
                .WaitAsync(_options.SendTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _sendFailures);
        }
    }

    /// <summary>The next sequence number, persisting a new reservation first when needed.</summary>
    private ulong ReserveSequence()
    {
        lock (_sequenceGate)
        {
            return ReserveSequenceLocked();
        }
    }

    private ulong ReserveSequenceLocked()
    {
        if (_nextSequence > BatchSequenceMax)
        {
            throw new InvalidOperationException("DSig batch sequence numbers are exhausted for this key");
        }

        if (_nextSequence > _reservedThrough)
        {
            var through = Math.Min(BatchSequenceMax, _nextSequence + (ulong)_options.SequenceReservation - 1);
            if (_options.SequenceFilePath is not null)
            {
                SequenceFile.Write(_options.SequenceFilePath, through);
            }

            _reservedThrough = through;
        }

        return _nextSequence++;
    }

    /// <summary>Wipes used-up batches whose last signatures are complete; keeps the others.</summary>
    private void EraseRetired(bool force = false)
    {
        for (var pending = _retired.Count; pending > 0 && _retired.TryDequeue(out var batch); pending--)
        {
            if (batch.Drained)
            {
                _recycled.Add(batch.EraseAndRecycle());
            }
            else if (force)
            {
                batch.Erase();
            }
            else
            {
                _retired.Enqueue(batch);
            }
        }
    }

    /// <summary>Every key made and no longer ready was taken: no counter on the signing path.</summary>
    private long KeysUsed()
    {
        long ready = 0;
        foreach (var group in SnapshotGroups())
        {
            ready += Volatile.Read(ref group.ReadyKeys);
        }

        return (Interlocked.Read(ref _batches) * DsigParameters.BatchKeys) - ready;
    }

    private DsigVerifierGroup[] SnapshotGroups()
    {
        lock (_groupsGate)
        {
            return [.. _groups];
        }
    }
}
