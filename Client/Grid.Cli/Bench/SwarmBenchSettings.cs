using System.Net;
using Grid.RdmaTransport.Tcp;

namespace Grid.Cli.Bench;

/// <summary>What <c>grid bench swarm</c> runs (see <see cref="SwarmBench"/>).</summary>
/// <param name="Fabric">"tcp" or "inproc".</param>
/// <param name="MemoryNodes">Memory nodes of the replicated systems (2f+1); RAW uses one.</param>
/// <param name="Clients">Concurrent clients per system, one op in flight each.</param>
/// <param name="Keys">Keys loaded before the run and drawn from during it.</param>
/// <param name="ValueBytes">Size of every value.</param>
/// <param name="Workload">YCSB A or B.</param>
/// <param name="Plan">Measured ops per system (all clients together) and the warm-up.</param>
/// <param name="CrashAt">When to kill memory node 0 in the replicated runs, after the measured phase starts.</param>
/// <param name="MemoryNodeAddresses">Running memory nodes to use instead of starting some (tcp).</param>
/// <param name="ClusterKey">The key of those nodes; null when the bench starts its own.</param>
/// <param name="OneWayLatency">
/// Modelled one-way latency of the in-process fabric (zero: none). With it the run is
/// network-bound, as passive RDMA memory nodes make the paper's, instead of bound by the CPU
/// that emulated memory-node processes need on a small machine.
/// </param>
internal sealed record SwarmBenchSettings(
    string Fabric,
    int MemoryNodes,
    int Clients,
    int Keys,
    int ValueBytes,
    YcsbWorkload Workload,
    BenchPlan Plan,
    TimeSpan? CrashAt,
    IReadOnlyList<IPEndPoint>? MemoryNodeAddresses,
    ClusterKey? ClusterKey,
    TimeSpan OneWayLatency = default)
{
    /// <summary>How long the measured phase goes on after a crash, so its effect shows.</summary>
    public static readonly TimeSpan AfterCrash = TimeSpan.FromSeconds(1);
}
