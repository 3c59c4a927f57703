using System.Net;
using Grid.RdmaTransport.Tcp;

namespace Grid.Cli.Bench;

/// <summary>What <see cref="TransportBench"/> measures against and for how long.</summary>
/// <param name="MemoryNode">A running memory node, or null to start one in this process.</param>
/// <param name="ClusterKey">The key of that node (or of the one started here).</param>
/// <param name="Plan">Warm-up and measured ops per row.</param>
internal sealed record TransportBenchSettings(
    IPEndPoint? MemoryNode, ClusterKey ClusterKey, BenchPlan Plan);
