using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Grid.RdmaTransport;
using NSec.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>
/// The verifier (specs/dsig.md §4, §5.2, §5.3). Its background plane pre-verifies the batches
/// signers send (<see cref="Receive"/>): rebuild the tree, check the Ed25519 root signature
/// once, cache. <see cref="Verify"/> then accepts a signature whose batch is cached with byte
/// comparisons and about 100 short hashes (fast path); a signature whose batch is not cached
/// goes the slow path when enabled: recompute the root from the path and check its Ed25519
/// signature. Bad input of any kind is a <c>false</c>, never an exception. Thread-safe.
/// </summary>
public sealed class DsigVerifier : IDisposable
{
    private readonly DsigVerifierOptions _options;
    private readonly DsigKeyDirectory _keys;
    private readonly ConcurrentDictionary<NodeId, SignerBatchCache> _caches = new();
    private readonly ConcurrentQueue<(NodeId From, byte[] Message)> _inbox = new();
    private readonly ConcurrentDictionary<NodeId, StrongBox<int>> _queuedBySigner = new();
    private readonly AutoResetEvent _arrived = new(false);
    private readonly object _startGate = new();
    private volatile bool _stopping;
    private int _disposed;
    private Thread? _thread;
    private int _inboxCount;
    private long _rejectedBatches;
    private long _droppedBatches;

    public DsigVerifier(NodeId self, DsigKeyDirectory keys, DsigVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _options = options ?? new DsigVerifierOptions();
        _options.Validate();
        Self = self;
        _keys = keys;
    }

    public NodeId Self { get; }

    /// <summary>Batches whose root signature did not verify or that did not parse.</summary>
    public long RejectedBatches => Interlocked.Read(ref _rejectedBatches);

    /// <summary>Batches dropped unverified because the inbox was full.</summary>
    public long DroppedBatches => Interlocked.Read(ref _droppedBatches);

    /// <summary>Pre-verified batches cached for <paramref name="signer"/>.</summary>
    public int CachedBatches(NodeId signer) => _caches.TryGetValue(signer, out var cache) ? cache.Count : 0;

    /// <summary>
    /// A batch message from <paramref name="from"/> (the authenticated sender) arrived: queue it
    /// for pre-verification. Never blocks; never throws on bad content; ignored once disposed.
    /// A sender with no key here is rejected at once, and one sender may have at most
    /// <see cref="DsigVerifierOptions.InboxCapacityPerSigner"/> batches queued, so a flooding
    /// peer loses its own batches, not everyone's.
    /// </summary>
    public void Receive(NodeId from, byte[] batchMessage)
    {
        ArgumentNullException.ThrowIfNull(batchMessage);
        if (_stopping)
        {
            return;
        }

        if (from == Self || !_keys.TryGet(from, out _))
        {
            Interlocked.Increment(ref _rejectedBatches);
            return;
        }

        var queued = _queuedBySigner.GetOrAdd(from, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref queued.Value) > _options.InboxCapacityPerSigner)
        {
            Interlocked.Decrement(ref queued.Value);
            Interlocked.Increment(ref _droppedBatches);
            return;
        }

        _inbox.Enqueue((from, batchMessage));
        if (Interlocked.Increment(ref _inboxCount) > _options.InboxCapacity && TryDequeue(out _))
        {
            // Bounded: the oldest batch goes; its signatures take the slow path.
            Interlocked.Increment(ref _droppedBatches);
        }

        try
        {
            _arrived.Set();
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check above and here: the batch is simply not verified.
        }
    }

    /// <summary>
    /// Starts the background plane: a dedicated thread, so pre-verification never waits for
    /// the thread pool.
    /// </summary>
    public void Start()
    {
        lock (_startGate)
        {
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = $"dsig-verifier-{Self.Value}" };
                _thread.Start();
            }
        }
    }

    /// <summary>Pre-verifies every queued batch on the calling thread; returns how many were cached.</summary>
    public int PreVerifyPending()
    {
        var cached = 0;
        while (TryDequeue(out var item))
        {
            if (PreVerify(item.From, item.Message))
            {
                cached++;
            }
        }

        return cached;
    }

    /// <summary>True when <paramref name="signature"/>'s batch is cached, so verification is fast.</summary>
    public bool CanVerifyFast(ReadOnlySpan<byte> signature, NodeId signer) =>
        signer != Self && DsigSignature.TryParse(signature, out var parsed) && FindBatch(parsed, signer) is not null;

    /// <summary>Verifies on whichever path applies; see <see cref="VerifyDetailed"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, NodeId signer, DsigPurpose purpose) =>
        VerifyDetailed(message, signature, signer, purpose) != DsigVerifyPath.Rejected;

    /// <summary>
    /// Verifies that <paramref name="signer"/> signed <paramref name="message"/> for
    /// <paramref name="purpose"/>: fast against a cached batch, else on the slow path if enabled.
    /// </summary>
    public DsigVerifyPath VerifyDetailed(
        ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, NodeId signer, DsigPurpose purpose)
    {
        if (!DsigSignature.TryParse(signature, out var parsed) || signer == Self)
        {
            return DsigVerifyPath.Rejected;
        }

        var batch = FindBatch(parsed, signer);
        if (batch is not null)
        {
            return OneTimeVerification.Verify(new DsigDomain(signer, purpose), message, parsed, batch.Leaf(parsed.KeyIndex))
                ? DsigVerifyPath.Fast
                : DsigVerifyPath.Rejected;
        }

        return _options.SlowPathEnabled && VerifySlow(message, parsed, signer, purpose, rememberRoots: true)
            ? DsigVerifyPath.Slow
            : DsigVerifyPath.Rejected;
    }

    /// <summary>
    /// The slow path only, ignoring the cache (§5.3): for a verifier that did not expect the
    /// signature, and for benchmarks (<paramref name="rememberRoots"/> false always pays Ed25519).
    /// </summary>
    public bool VerifySlow(
        ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, NodeId signer, DsigPurpose purpose, bool rememberRoots = true) =>
        DsigSignature.TryParse(signature, out var parsed)
        && signer != Self
        && VerifySlow(message, parsed, signer, purpose, rememberRoots);

    /// <summary>Stops the background plane; idempotent. Later batches are ignored.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        _arrived.Set();
        _thread?.Join();
        _arrived.Dispose();
    }

    private VerifiedBatch? FindBatch(in DsigSignature signature, NodeId signer)
    {
        if (!_caches.TryGetValue(signer, out var cache))
        {
            return null;
        }

        var batch = cache.Find(signature.BatchSequence);
        return batch is not null && batch.Matches(signature) ? batch : null;
    }

    private bool VerifySlow(
        ReadOnlySpan<byte> message, in DsigSignature signature, NodeId signer, DsigPurpose purpose, bool rememberRoots)
    {
        if (!_keys.TryGet(signer, out var signerKey))
        {
            return false;
        }

        // Root from leaf and path (7 hashes), then the Ed25519 statement over it.
        Span<byte> rootAndSignature = stackalloc byte[DsigParameters.HashBytes + DsigParameters.Ed25519SignatureBytes];
        var root = rootAndSignature[..DsigParameters.HashBytes];
        MerkleTree.RootFromPath(signature.Leaf, signature.KeyIndex, signature.Path, root);
        signature.RootSignature.CopyTo(rootAndSignature[DsigParameters.HashBytes..]);
        var cache = rememberRoots ? CacheOf(signer) : null;
        if (cache is null || !cache.IsRememberedRoot(signature.BatchSequence, rootAndSignature))
        {
            Span<byte> statement = stackalloc byte[RootStatement.Bytes];
            RootStatement.Write(signer, signature.BatchSequence, root, statement);
            if (!SignatureAlgorithm.Ed25519.Verify(signerKey, statement, signature.RootSignature))
            {
                return false;
            }

            cache?.RememberRoot(signature.BatchSequence, rootAndSignature);
        }

        return OneTimeVerification.Verify(new DsigDomain(signer, purpose), message, signature, signature.Leaf);
    }

    private bool TryDequeue(out (NodeId From, byte[] Message) item)
    {
        if (!_inbox.TryDequeue(out item))
        {
            return false;
        }

        Interlocked.Decrement(ref _inboxCount);
        if (_queuedBySigner.TryGetValue(item.From, out var queued))
        {
            Interlocked.Decrement(ref queued.Value);
        }

        return true;
    }

    private bool PreVerify(NodeId from, byte[] message)
    {
        try
        {
            if (from == Self || !_keys.TryGet(from, out var key) || VerifiedBatch.TryCreate(from, key, message) is not { } batch)
            {
                Interlocked.Increment(ref _rejectedBatches);
                return false;
            }

            CacheOf(from).Add(batch);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing here should throw on any input; if it does, this batch is lost (its
            // signatures take the slow path) and the background plane keeps serving the rest.
            Interlocked.Increment(ref _rejectedBatches);
            return false;
        }
    }

    private SignerBatchCache CacheOf(NodeId signer) =>
        _caches.GetOrAdd(
            signer,
            static (_, options) => new SignerBatchCache(options.CachedBatchesPerSigner, options.RememberedRootsPerSigner),
            _options);

    private void Run()
    {
        while (!_stopping)
        {
            PreVerifyPending();
            _arrived.WaitOne(TimeSpan.FromMilliseconds(100));
        }
    }
}
