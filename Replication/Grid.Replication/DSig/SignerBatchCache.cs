namespace Grid.Replication.DSig;

/// <summary>
/// One signer's pre-verified batches at a verifier (specs/dsig.md §4), at most a fixed number,
/// the oldest evicted first, plus the roots the slow path has verified (§5.3). Lookups by batch
/// sequence number; thread-safe under one lock held only for the lookup.
/// </summary>
internal sealed class SignerBatchCache(int capacity, int rememberedRoots)
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, VerifiedBatch> _batches = [];
    private readonly Queue<ulong> _order = new();
    private readonly Dictionary<ulong, byte[]> _roots = [];
    private readonly Queue<ulong> _rootOrder = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _batches.Count;
            }
        }
    }

    public void Add(VerifiedBatch batch)
    {
        lock (_gate)
        {
            if (_batches.TryGetValue(batch.BatchSequence, out var cached))
            {
                // The same root signature is a duplicate delivery. A different one under the
                // same number (both verified under the signer's key) is a signer that restarted
                // without its sequence file: its new batch is the one it signs with now.
                if (!batch.RootSignature.SequenceEqual(cached.RootSignature))
                {
                    _batches[batch.BatchSequence] = batch;
                }

                return;
            }

            _batches.Add(batch.BatchSequence, batch);
            _order.Enqueue(batch.BatchSequence);
            while (_order.Count > capacity)
            {
                _batches.Remove(_order.Dequeue());
            }
        }
    }

    public VerifiedBatch? Find(ulong batchSequence)
    {
        lock (_gate)
        {
            return _batches.GetValueOrDefault(batchSequence);
        }
    }

    /// <summary>
    /// True when the slow path already verified this exact statement: the same sequence, root
    /// and root signature (the caller passes the root it recomputed from the signature's path).
    /// </summary>
    public bool IsRememberedRoot(ulong batchSequence, ReadOnlySpan<byte> rootAndSignature)
    {
        lock (_gate)
        {
            return _roots.TryGetValue(batchSequence, out var known) && rootAndSignature.SequenceEqual(known);
        }
    }

    public void RememberRoot(ulong batchSequence, ReadOnlySpan<byte> rootAndSignature)
    {
        if (rememberedRoots == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_roots.TryGetValue(batchSequence, out var known))
            {
                // A signer restarted without its sequence file reuses numbers (see Add).
                rootAndSignature.CopyTo(known);
            }
            else
            {
                _roots.Add(batchSequence, rootAndSignature.ToArray());
                _rootOrder.Enqueue(batchSequence);
                while (_rootOrder.Count > rememberedRoots)
                {
                    _roots.Remove(_rootOrder.Dequeue());
                }
            }
        }
    }
}
