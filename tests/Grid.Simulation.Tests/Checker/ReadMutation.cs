using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Checker;

/// <summary>
/// Breaks a linearizable history by making one completed read return a value it cannot have seen
/// in any linearization. Written values are unique, so value v names its one write W, and reading
/// v in read R is impossible when either
/// W is called after R returned (W's point is after R's), or
/// W returned before some write or delete X on the key was called, and X returned before R was
/// called (every order puts W, then X, then R, so R sees X's effect or a later one, never v).
/// Merely "not current at R's point in the original run" would not do: a concurrent write could be
/// reordered to make v legal.
/// </summary>
internal static class ReadMutation
{
    public static bool TryMutate(
        IReadOnlyList<HistoryOperation> history,
        Random random,
        out List<HistoryOperation> mutated,
        out string key)
    {
        var candidates = new List<(int Read, string Value)>();
        for (var r = 0; r < history.Count; r++)
        {
            var read = history[r];
            if (read.Kind != OperationKind.Read || read.IsPending)
                continue;
            foreach (var write in history)
            {
                if (write.Kind != OperationKind.Write || write.Key != read.Key
                    || write.Value == read.Value)
                {
                    continue;
                }
                if (write.Call > read.Return || IsOverwrittenBefore(history, write, read))
                    candidates.Add((r, write.Value!));
            }
        }

        mutated = [.. history];
        if (candidates.Count == 0)
        {
            key = "";
            return false;
        }
        var (index, value) = candidates[random.Next(candidates.Count)];
        mutated[index] = history[index] with { Value = value };
        key = history[index].Key;
        return true;
    }

    private static bool IsOverwrittenBefore(
        IReadOnlyList<HistoryOperation> history,
        HistoryOperation write,
        HistoryOperation read)
    {
        if (write.IsPending)
            return false;
        foreach (var other in history)
        {
            if (other.Kind != OperationKind.Read && other.Key == write.Key
                && write.Return < other.Call && other.Return < read.Call)
            {
                return true;
            }
        }
        return false;
    }
}
