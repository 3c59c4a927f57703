using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Grid.Testing.Linearizability;

/// <summary>
/// Checks a recorded history of a key-value store against a per-key register model: a write sets
/// the key, a delete makes it absent, and a read must return the current value (null = absent).
/// </summary>
/// <remarks>
/// Linearizability is local (Herlihy and Wing), so each key's sub-history is checked on its own
/// (P-compositionality, as in Porcupine): thousands of operations over many keys cost about as much
/// as their keys' sub-histories, not the product of their interleavings.
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>The budget used when <c>Check</c> is given none.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(10);

    /// <summary>Checks <paramref name="history"/>; see <see cref="LinearizabilityResult"/>.
    /// </summary>
    /// <param name="history">Operations on any number of keys, in any order.</param>
    /// <param name="initialValue">Every key's value before the history; null = absent.</param>
    /// <param name="budget">
    /// Wall-clock limit for the whole check (default <see cref="DefaultBudget"/>;
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none). When it runs out the result says
    /// <see cref="LinearizabilityResult.TimedOut"/>.
    /// </param>
    public static LinearizabilityResult Check(
        IReadOnlyList<HistoryOperation> history,
        string? initialValue = null,
        TimeSpan? budget = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var limit = budget ?? DefaultBudget;
        if (limit < TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(budget), limit, "The budget must not be negative.");
        }
        var deadline = DeadlineFor(limit);

        var keys = new List<string>();
        var byKey = new Dictionary<string, List<HistoryOperation>>(StringComparer.Ordinal);
        foreach (var op in history)
        {
            Validate(op);
            // A read that never returned observed nothing, so it constrains nothing.
            if (op.Kind == OperationKind.Read && op.IsPending)
                continue;
            if (!byKey.TryGetValue(op.Key, out var ops))
            {
                ops = [];
                byKey.Add(op.Key, ops);
                keys.Add(op.Key);
            }
            ops.Add(op);
        }

        foreach (var key in keys)
        {
            var ops = byKey[key];
            var outcome = new RegisterSearch([.. WithoutUnobservedPending(ops)], initialValue, deadline).Run();
            switch (outcome.Verdict)
            {
                case SearchVerdict.NotLinearizable:
                    return new LinearizabilityResult(
                        false,
                        false,
                        key,
                        Explain(
                            $"Key '{key}' is not linearizable",
                            ops,
                            initialValue,
                            outcome.LongestPrefix));
                case SearchVerdict.TimedOut:
                    return new LinearizabilityResult(
                        false,
                        true,
                        key,
                        Explain(
                            $"Budget of {limit} ran out while checking key '{key}'",
                            ops,
                            initialValue,
                            outcome.LongestPrefix));
                default:
                    break;
            }
        }

        return new LinearizabilityResult(
            true,
            false,
            null,
            string.Create(
                CultureInfo.InvariantCulture,
                $"Linearizable: {history.Count} operations on {keys.Count} keys."));
    }

    /// <summary>
    /// Drops the pending writes and deletes whose result no completed read returned. A pending
    /// operation may be left out of a linearization anyway; and if one containing it exists,
    /// removing it leaves a valid one, since the only reads it could affect are those between it
    /// and the next write, which would have to return its value. So the verdict is unchanged,
    /// while the search no longer tries every subset of them: a client that loses its quorum
    /// abandons every later op at once, and a few dozen such writes exhaust any budget.
    /// </summary>
    private static IEnumerable<HistoryOperation> WithoutUnobservedPending(List<HistoryOperation> ops)
    {
        var returned = new HashSet<string>(StringComparer.Ordinal);
        var absentReturned = false;
        foreach (var op in ops)
        {
            if (op.Kind == OperationKind.Read && !op.IsPending)
            {
                if (op.Value is null)
                    absentReturned = true;
                else
                    returned.Add(op.Value);
            }
        }

        return ops.Where(op => !op.IsPending || op.Kind switch
        {
            OperationKind.Write => returned.Contains(op.Value!),
            OperationKind.Delete => absentReturned,
            _ => true,
        });
    }

    private static void Validate(HistoryOperation op)
    {
        if (op is null)
            throw new ArgumentException("The history contains a null operation.");
        if (op.Key is null)
            throw new ArgumentException($"Operation {op} has no key.");
        if (!Enum.IsDefined(op.Kind))
            throw new ArgumentException($"Operation {op} has an unknown kind.");
        if (op.Kind == OperationKind.Write && op.Value is null)
        {
            // Null means "absent" on reads; a null write would make the two indistinguishable.
            throw new ArgumentException($"Write {op} has no value; use a delete instead.");
        }
        if (op.Return < op.Call)
            throw new ArgumentException($"Operation {op} returns before it is called.");
    }

    private static long DeadlineFor(TimeSpan limit)
    {
        if (limit == Timeout.InfiniteTimeSpan)
            return long.MaxValue;
        var now = Stopwatch.GetTimestamp();
        var ticks = limit.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    private static string Explain(
        string headline,
        List<HistoryOperation> ops,
        string? initialValue,
        IReadOnlyList<HistoryOperation> prefix)
    {
        var inCallOrder = ops
            .OrderBy(op => op.Call)
            .ThenBy(op => op.Return)
            .ThenBy(op => op.Client)
            .ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{headline} (initial value {initialValue ?? "absent"}).");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture,
            $"Its {inCallOrder.Count} operations in call order:");
        text.AppendLine();
        foreach (var op in inCallOrder)
            text.Append("  ").Append(op).AppendLine();
        text.Append(CultureInfo.InvariantCulture,
            $"Longest linearizable prefix found ({prefix.Count} of {inCallOrder.Count}):");
        text.AppendLine();
        foreach (var op in prefix)
            text.Append("  ").Append(op).AppendLine();
        return text.ToString();
    }
}
