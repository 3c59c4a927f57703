using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// What the fault simulation's runs reached, summed over seeds: a path that no seed reaches is
/// one the simulation does not test, so the seed sweep asserts the important ones.
/// </summary>
public sealed class SimulationCoverage
{
    public long MemoryNodeCrashes { get; set; }

    public long MemoryNodeRestarts { get; set; }

    public long WriterRestarts { get; set; }

    public long Takeovers { get; set; }

    /// <summary>Connections closed while their node was up: an expired batch, or a restarted node.</summary>
    public long ClosedConnections { get; set; }

    /// <summary>Runs whose clients connect through reconnecting queue pairs.</summary>
    public long ReconnectingRuns { get; set; }

    /// <summary>Reconnecting pairs' connections closed by an expired batch.</summary>
    public long ConnectionsLostToExpiry { get; set; }

    /// <summary>Reconnecting pairs' connections that died with a memory node's restart.</summary>
    public long ConnectionsLostToRestart { get; set; }

    /// <summary>New connections to the same memory taken into use after the old one's batches could no longer land.</summary>
    public long Readmissions { get; set; }

    /// <summary>Re-admitted connections on which the client then completed a batch.</summary>
    public long UsedAfterReadmission { get; set; }

    /// <summary>Nodes a client's recovery did not read, which that client then never used.</summary>
    public long MissedNodes { get; set; }

    /// <summary>Clients replaced, under the same lease, once the nodes their recovery missed were connected again.</summary>
    public long RestartsForMissedNodes { get; set; }

    public long SweptEntries { get; set; }

    public long CapacityRefusals { get; set; }

    public long ReadRestarts { get; set; }

    public long SettledKept { get; set; }

    public long SettledWithdrawn { get; set; }

    public long KeptWrites { get; set; }

    public long RetriedWrites { get; set; }

    public long WithdrawnPins { get; set; }

    public long WriteBacks { get; set; }

    /// <summary>Runs with a long pause (timestamps age, and often wrap).</summary>
    public long Pauses { get; set; }

    /// <summary>Virtual time the runs spanned, summed.</summary>
    public long VirtualMilliseconds { get; set; }

    public long RefreshPasses { get; set; }

    public long RefreshesDeferred { get; set; }

    public long RefreshedKeys { get; set; }

    public long ClearedWords { get; set; }

    public long Rebases { get; set; }
    /// <summary>Entries whose newest word a restarted writer found only on a node that answered its recovery late.</summary>
    public long LateRecoveredWords { get; set; }

    public void Add(IEnumerable<SwarmClientCounters> counters)
    {
        foreach (var c in counters)
        {
            ReadRestarts += c.ReadRestarts;
            SettledKept += c.SettledKept;
            SettledWithdrawn += c.SettledWithdrawn;
            KeptWrites += c.KeptWrites;
            RetriedWrites += c.RetriedWrites;
            WithdrawnPins += c.WithdrawnPins;
            WriteBacks += c.WriteBacks;
            RefreshPasses += c.RefreshPasses;
            RefreshesDeferred += c.RefreshesDeferred;
            RefreshedKeys += c.RefreshedKeys;
            ClearedWords += c.ClearedWords;
            Rebases += c.Rebases;
            LateRecoveredWords += c.LateRecoveredWords;
        }
    }

    public void Add(SimulationCoverage other)
    {
        foreach (var property in typeof(SimulationCoverage).GetProperties())
        {
            property.SetValue(this, (long)property.GetValue(this)! + (long)property.GetValue(other)!);
        }
    }

    public override string ToString() =>
        string.Join(", ", typeof(SimulationCoverage).GetProperties().Select(p => $"{p.Name} {p.GetValue(this)}"));
}
