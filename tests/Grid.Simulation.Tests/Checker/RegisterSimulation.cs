using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Checker;

/// <summary>
/// Produces histories that are linearizable by construction: clients run against a real
/// sequential register, and a seeded scheduler interleaves their steps. Each operation is begun,
/// later applied to the register in one step (its linearization point), and later completed, with
/// other clients' steps in between, so the point falls at a random instant of its interval.
/// </summary>
internal static class RegisterSimulation
{
    public static IReadOnlyList<HistoryOperation> Run(int seed, RegisterWorkload workload)
    {
        var random = new Random(seed);
        var recorder = new HistoryRecorder();
        var register = new Dictionary<string, string>(StringComparer.Ordinal);
        var clients = new ClientState[workload.Clients];
        var active = new List<int>();
        for (var c = 0; c < clients.Length; c++)
        {
            clients[c] = new ClientState { Remaining = workload.OperationsOf(c) };
            if (clients[c].Remaining > 0)
                active.Add(c);
        }
        // Operations of crashed clients that are still in the network: they may take effect at
        // any later step, or never.
        var orphans = new List<ClientState>();
        var written = 0;

        while (active.Count > 0)
        {
            if (orphans.Count > 0 && random.Next(8) == 0)
            {
                var orphan = random.Next(orphans.Count);
                Apply(orphans[orphan], register);
                orphans.RemoveAt(orphan);
            }

            var index = random.Next(active.Count);
            var client = active[index];
            var state = clients[client];
            if (state.PendingId is not int id)
            {
                state.Remaining--;
                state.Key = workload.KeyOf(client, random);
                state.Applied = false;
                var roll = random.Next(100);
                if (roll < 50)
                {
                    state.Kind = OperationKind.Read;
                    state.PendingId = recorder.BeginRead(client, state.Key);
                }
                else if (roll < 85)
                {
                    state.Kind = OperationKind.Write;
                    state.Value = $"v{++written}";
                    state.PendingId = recorder.BeginWrite(client, state.Key, state.Value);
                }
                else
                {
                    state.Kind = OperationKind.Delete;
                    state.PendingId = recorder.BeginDelete(client, state.Key);
                }
                continue;
            }

            if (random.Next(100) < workload.CrashPercent)
            {
                // Half the time the client says it gave up, half the time it just vanishes:
                // the recorder must treat both as an unknown outcome.
                if (random.Next(2) == 0)
                    recorder.Abandon(id);
                if (!state.Applied && random.Next(2) == 0)
                    orphans.Add(state);
                active.RemoveAt(index);
                continue;
            }

            if (!state.Applied)
            {
                Apply(state, register);
                continue;
            }

            if (state.Kind == OperationKind.Read)
                recorder.CompleteRead(id, state.Value);
            else
                recorder.Complete(id);
            state.PendingId = null;
            if (state.Remaining == 0)
                active.RemoveAt(index);
        }
        return recorder.Operations;
    }

    private static void Apply(ClientState state, Dictionary<string, string> register)
    {
        switch (state.Kind)
        {
            case OperationKind.Read:
                state.Value = register.GetValueOrDefault(state.Key);
                break;
            case OperationKind.Write:
                register[state.Key] = state.Value!;
                break;
            default:
                register.Remove(state.Key);
                break;
        }
        state.Applied = true;
    }

    private sealed class ClientState
    {
        public int Remaining { get; set; }

        public int? PendingId { get; set; }

        public OperationKind Kind { get; set; }

        public string Key { get; set; } = "";

        public string? Value { get; set; }

        public bool Applied { get; set; }
    }
}
