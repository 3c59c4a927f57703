using Grid.RdmaTransport;
using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// One client process of a fault simulation: a SWARM client under a writer id, its connections,
/// its clocks and its lease. A restart or a takeover is a new process with the same writer id;
/// the history records each process as its own sequential client.
/// </summary>
internal sealed class SwarmProcess(int index, int writerId, NodeId node, SkewedTimeProvider wallClock, SimulatedSwarmClock guessClock)
{
    /// <summary>The history's client number.</summary>
    public int Index { get; } = index;

    public int WriterId { get; } = writerId;

    /// <summary>The fabric node its queue pairs start from (crashing it crashes the process).</summary>
    public NodeId Node { get; } = node;

    public SkewedTimeProvider WallClock { get; } = wallClock;

    public SimulatedSwarmClock GuessClock { get; } = guessClock;

    public QueuePair[] Pairs { get; set; } = [];

    /// <summary>One per pair when the process connects through <see cref="ReconnectingQueuePair"/>s; else empty.</summary>
    public ReconnectProbe[] Probes { get; set; } = [];

    /// <summary>
    /// Per pair, when the op in flight (or the start) began: whether it was closed, and how many
    /// connections it had lost. A node closed then, or lost since, is one the op could not count
    /// on, even if it is connected again now (an op pins its connections).
    /// </summary>
    public bool[] ClosedAtStart { get; set; } = [];

    public int[] LossesAtStart { get; set; } = [];

    public WriterLease? Lease { get; set; }

    /// <summary>Set once started; null while it leases its id and waits out the previous holder.</summary>
    public SafeGuessClient? Client { get; set; }

    /// <summary>Taking the lease and starting the client.</summary>
    public Task? Starting { get; set; }

    /// <summary>The op in flight.</summary>
    public Task? Running { get; set; }

    public int Remaining { get; set; }

    /// <summary>The nodes its client's recovery did not read (never used by that client).</summary>
    public IReadOnlyList<int> Missed { get; set; } = [];

    public bool Crashed { get; set; }

    /// <summary>Another process took its writer id; its ops may fail from then on.</summary>
    public bool Superseded { get; set; }

    public bool Ready => Client is not null && !Crashed;
}
