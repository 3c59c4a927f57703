using System.Diagnostics;

namespace Grid.Testing.Linearizability;

/// <summary>
/// Decides whether one key's sub-history is linearizable with respect to a register that may be
/// absent. This is the Wing–Gong search with Lowe's memoization, as in Porcupine and Knossos's
/// "linear" checker: walk the call/return entries in time order; at a call, try to linearize that
/// operation now (it is minimal: nothing still unlinearized returned before it); at a return of an
/// unlinearized operation, no extension of the current order works, so backtrack. A cache of
/// (set of linearized operations, register value) prunes orders that reach a configuration
/// already explored, which is what keeps hundreds of concurrent operations tractable.
/// </summary>
/// <remarks>
/// Operations that never returned have their return entry at +infinity, after every real entry.
/// The search stops successfully as soon as every completed operation is linearized, so a pending
/// write or delete may take effect anywhere after its call, or not at all.
/// Node encoding: operation i has call node 2i and return node 2i+1; node 2n is the list head.
/// </remarks>
internal sealed class RegisterSearch
{
    // Reading the clock on every step would dominate small searches.
    private const int DeadlineCheckInterval = 1024;
    private const int None = -1;

    private readonly HistoryOperation[] _ops;
    private readonly string? _initialValue;
    private readonly long _deadline;
    private readonly int _head;
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly ulong[] _zobrist;

    /// <param name="ops">One key's operations, without pending reads, in any order.</param>
    /// <param name="initialValue">The register's value before any operation; null = absent.</param>
    /// <param name="deadline">A <see cref="Stopwatch.GetTimestamp"/> value to give up at.</param>
    public RegisterSearch(HistoryOperation[] ops, string? initialValue, long deadline)
    {
        _ops = ops;
        _initialValue = initialValue;
        _deadline = deadline;
        var nodeCount = 2 * ops.Length;
        _head = nodeCount;
        _next = new int[nodeCount + 1];
        _prev = new int[nodeCount + 1];
        _zobrist = new ulong[ops.Length];

        var order = new int[nodeCount];
        for (var node = 0; node < nodeCount; node++)
            order[node] = node;
        // At equal times calls sort before returns, so operations that merely touch count as
        // concurrent (Porcupine does the same); the node id breaks the rest of the ties so the
        // walk, and with it the reported prefix, is deterministic.
        Array.Sort(order, (a, b) =>
        {
            var byTime = TimeOf(a).CompareTo(TimeOf(b));
            if (byTime != 0)
                return byTime;
            var byKind = (a & 1).CompareTo(b & 1);
            return byKind != 0 ? byKind : a.CompareTo(b);
        });

        var previous = _head;
        foreach (var node in order)
        {
            _next[previous] = node;
            _prev[node] = previous;
            previous = node;
        }
        _next[previous] = None;

        // Zobrist hashing: the hash of the linearized set is the XOR of one random word per
        // operation, so it updates in O(1) when an operation is added or removed.
        var seed = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < _zobrist.Length; i++)
            _zobrist[i] = SplitMix64(ref seed);
    }

    /// <summary>Runs the search to a verdict or to the deadline.</summary>
    public SearchOutcome Run()
    {
        var n = _ops.Length;
        var linearized = new ulong[(n + 63) / 64];
        ulong setHash = 0;
        var cache = new HashSet<CacheKey>(CacheKeyComparer.Instance);
        var stackNode = new int[n];
        var stackState = new string?[n];
        var depth = 0;
        var bestPrefix = Array.Empty<int>();
        var state = _initialValue;

        var remaining = 0;
        foreach (var op in _ops)
        {
            if (!op.IsPending)
                remaining++;
        }

        var node = _next[_head];
        long steps = 0;
        while (remaining > 0)
        {
            if (steps++ % DeadlineCheckInterval == 0 && Stopwatch.GetTimestamp() >= _deadline)
                return Outcome(SearchVerdict.TimedOut, bestPrefix);

            // A completed operation is still unlinearized, and its return entry is still in the
            // list, so the walk meets a return entry before it runs off the end.
            Debug.Assert(node != None, "walk ran past every return entry");

            var op = node >> 1;
            if ((node & 1) == 0)
            {
                if (TryApply(state, _ops[op], out var after))
                {
                    Toggle(linearized, op);
                    setHash ^= _zobrist[op];
                    var hash = HashCode.Combine(setHash, after is null ? 0 : after.GetHashCode(
                        StringComparison.Ordinal));
                    if (!cache.Contains(new CacheKey(linearized, after, hash)))
                    {
                        cache.Add(new CacheKey((ulong[])linearized.Clone(), after, hash));
                        stackNode[depth] = node;
                        stackState[depth] = state;
                        depth++;
                        state = after;
                        Lift(node);
                        if (!_ops[op].IsPending)
                            remaining--;
                        if (depth > bestPrefix.Length)
                            bestPrefix = stackNode[..depth];
                        node = _next[_head];
                        continue;
                    }
                    Toggle(linearized, op);
                    setHash ^= _zobrist[op];
                }
                node = _next[node];
            }
            else
            {
                // This operation returned and is not linearized: no order extending the current
                // prefix can place it, so undo the last choice and try the next candidate.
                if (depth == 0)
                    return Outcome(SearchVerdict.NotLinearizable, bestPrefix);
                depth--;
                var call = stackNode[depth];
                var undone = call >> 1;
                state = stackState[depth];
                Toggle(linearized, undone);
                setHash ^= _zobrist[undone];
                Unlift(call);
                if (!_ops[undone].IsPending)
                    remaining++;
                node = _next[call];
            }
        }
        return Outcome(SearchVerdict.Linearizable, bestPrefix);
    }

    private static bool TryApply(string? state, HistoryOperation op, out string? after)
    {
        switch (op.Kind)
        {
            case OperationKind.Write:
                after = op.Value;
                return true;
            case OperationKind.Delete:
                after = null;
                return true;
            default:
                after = state;
                return string.Equals(state, op.Value, StringComparison.Ordinal);
        }
    }

    private static void Toggle(ulong[] bits, int index) => bits[index >> 6] ^= 1UL << (index & 63);

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private long TimeOf(int node) =>
        (node & 1) == 0 ? _ops[node >> 1].Call : _ops[node >> 1].Return;

    // Removes an operation's call and return entries; Unlift restores them (dancing links:
    // restoring in reverse order of removal puts every pointer back exactly).
    private void Lift(int call)
    {
        Unlink(call);
        Unlink(call | 1);
    }

    private void Unlift(int call)
    {
        Relink(call | 1);
        Relink(call);
    }

    private void Unlink(int node)
    {
        _next[_prev[node]] = _next[node];
        if (_next[node] != None)
            _prev[_next[node]] = _prev[node];
    }

    private void Relink(int node)
    {
        _next[_prev[node]] = node;
        if (_next[node] != None)
            _prev[_next[node]] = node;
    }

    private SearchOutcome Outcome(SearchVerdict verdict, int[] prefixNodes)
    {
        var prefix = new HistoryOperation[prefixNodes.Length];
        for (var i = 0; i < prefix.Length; i++)
            prefix[i] = _ops[prefixNodes[i] >> 1];
        return new SearchOutcome(verdict, prefix);
    }

    /// <summary>A configuration already explored: which operations are linearized, and the
    /// register value they leave.</summary>
    private readonly record struct CacheKey(ulong[] Linearized, string? State, int Hash);

    private sealed class CacheKeyComparer : IEqualityComparer<CacheKey>
    {
        public static readonly CacheKeyComparer Instance = new();

        public bool Equals(CacheKey x, CacheKey y) =>
            x.Hash == y.Hash
            && string.Equals(x.State, y.State, StringComparison.Ordinal)
            && x.Linearized.AsSpan().SequenceEqual(y.Linearized);

        public int GetHashCode(CacheKey obj) => obj.Hash;
    }
}
