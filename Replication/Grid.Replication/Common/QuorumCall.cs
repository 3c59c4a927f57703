using Grid.RdmaTransport;

namespace Grid.Replication.Common;

/// <summary>
/// One roundtrip to every memory node at once: posts one batch per node and completes when
/// <see cref="Needed"/> of them have succeeded (a majority), without waiting for the rest, which
/// still execute and complete later. Completes with <see cref="QuorumUnavailableException"/> once
/// so many have failed that the quorum can no longer be reached. Continuations run on the
/// completing thread, so under the deterministic scheduler a whole protocol run stays on one
/// thread and replays from its seed.
/// </summary>
internal sealed class QuorumCall : IBatchCompletionHandler
{
    private readonly TaskCompletionSource<QuorumCall> _done = new();
    private readonly TaskCompletionSource _all = new();
    private readonly object _lock = new();
    private int _completed;
    private readonly int _needed;
    private readonly int _total;
    private int _succeeded;
    private int _failed;
    private Exception? _lastError;

    private QuorumCall(VerbBatch?[] batches, int needed)
    {
        Batches = batches;
        _needed = needed;
        foreach (var batch in batches)
        {
            if (batch is not null)
            {
                _total++;
            }
        }

        Succeeded = new bool[batches.Length];
    }

    /// <summary>Per node, its batch (null: the call skipped that node).</summary>
    public VerbBatch?[] Batches { get; }

    /// <summary>Per node, whether its batch succeeded by the time the quorum was reached.</summary>
    public bool[] Succeeded { get; }

    /// <summary>Completes once every posted batch has completed, the late ones included.</summary>
    public Task AllCompleted => _all.Task;

    /// <summary>Completes as <see cref="RunAsync"/>'s task does: at the quorum, or failed once it cannot be reached.</summary>
    public Task<QuorumCall> Quorum => _done.Task;

    /// <summary>Posts <paramref name="batches"/>[i] on <paramref name="nodes"/>[i] for every non-null batch.</summary>
    public static Task<QuorumCall> RunAsync(IReadOnlyList<QueuePair> nodes, VerbBatch?[] batches, int needed) =>
        Start(nodes, batches, needed).Quorum;

    /// <summary>
    /// As <see cref="RunAsync"/>, but returns the call itself, so a caller that must know every
    /// batch's fate even when the quorum is lost can still wait for <see cref="AllCompleted"/>.
    /// </summary>
    public static QuorumCall Start(IReadOnlyList<QueuePair> nodes, VerbBatch?[] batches, int needed)
    {
        var call = new QuorumCall(batches, needed);
        if (call._total < needed)
        {
            throw new ArgumentException($"{call._total} batches cannot reach a quorum of {needed}");
        }

        for (var i = 0; i < batches.Length; i++)
        {
            var batch = batches[i];
            if (batch is null)
            {
                continue;
            }

            batch.CompletionHandler = call;
            batch.UserState = i;
            nodes[i].Post(batch);
        }

        return call;
    }

    public void OnBatchCompleted(VerbBatch batch)
    {
        var node = (int)batch.UserState!;
        bool reached;
        bool lost;
        bool all;
        lock (_lock)
        {
            all = ++_completed == _total;
            if (_succeeded >= _needed || _total - _failed < _needed)
            {
                reached = lost = false; // Decided already; late completions do not change the quorum.
            }
            else
            {
                (reached, lost) = Count(batch, node);
            }
        }

        // Continuations run outside the lock (they post further batches).
        if (reached)
        {
            _done.SetResult(this);
        }
        else if (lost)
        {
            _done.SetException(new QuorumUnavailableException(
                $"only {_total - _failed} of {_total} memory nodes can still answer; " +
                $"a quorum needs {_needed}", _lastError));
        }

        if (all)
        {
            _all.TrySetResult();
        }
    }

    private (bool Reached, bool Lost) Count(VerbBatch batch, int node)
    {
        if (batch.Error == TransportError.None)
        {
            _succeeded++;
            Succeeded[node] = true;
        }
        else
        {
            _failed++;
            _lastError = new TransportException(batch.Error, batch.ErrorMessage ?? "", batch.FailedOpIndex);
        }

        var reached = _succeeded == _needed;
        return (reached, !reached && _total - _failed < _needed);
    }
}
