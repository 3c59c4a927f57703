using Grid.RdmaTransport;
using Grid.Replication.Swarm;
using Orleans.Storage;

namespace Grid.Persistence.Swarm;

/// <summary>
/// Options of one SWARM grain storage provider. With no <see cref="MemoryNodes"/> the provider
/// uses the <c>EmbeddedMemoryNodes</c> registered in the silo's services (the embedded default).
/// Every silo of a cluster must use the same <see cref="Layout"/>; writer ids are leased
/// automatically unless <see cref="WriterId"/> names one.
/// </summary>
public sealed class SwarmGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>
    /// <c>host:port</c> of each <c>grid-memnode</c> (2f+1 of them, the same list in the same order
    /// on every silo). Empty: embedded in-process memory nodes.
    /// </summary>
    public IList<string> MemoryNodes { get; set; } = [];

    /// <summary>The cluster key's secret text (at least 16 bytes), when not in <see cref="ClusterKeyFile"/>.</summary>
    public string? ClusterKey { get; set; }

    /// <summary>A file holding the cluster key's secret (as written by <c>grid-memnode --key-file</c>).</summary>
    public string? ClusterKeyFile { get; set; }

    /// <summary>
    /// This silo's SWARM writer id. 0 (the default): lease a free id from the memory nodes at
    /// start, renew it while the silo runs, and lease another should it be lost
    /// (<see cref="WriterLease"/>). 1..<c>Layout.MaxWriters</c>: use that id, taking it over from
    /// any holder; a second live silo with the same id makes the first fail its next write.
    /// Either way a silo that gets an id used before recovers its slots before writing.
    /// </summary>
    public int WriterId { get; set; }

    /// <summary>Lease duration, renewal interval and clock-skew allowance of the writer id.</summary>
    public WriterLeaseOptions WriterLease { get; set; } = new();

    /// <summary>The SWARM-KV layout on the memory nodes (the same on every silo).</summary>
    public SwarmKvOptions Layout { get; set; } = DefaultLayout();

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one verb batch may take before its memory node counts as failed.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before a memory node whose connection failed is dialed again; it doubles per failed attempt.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two dials of a memory node, and how often a refused node is probed.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often deleted states' entries and buffers are released (SWARM-KV sweep).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the sweep loop rebuilds a memory node that came back empty: it repairs the other
    /// nodes, then counts the node again, empty (SWARM README, "Rebuilding a node that came back
    /// empty"). Off, such a node stays refused until its old memory comes back or the cluster is
    /// formatted anew.
    /// </summary>
    public bool RebuildEmptyMemoryNodes { get; set; } = true;

    /// <summary>
    /// How many grains' last ETags the provider remembers. A write of a remembered grain costs one
    /// roundtrip; one of a forgotten grain reads first (two).
    /// </summary>
    public int CachedGrainsMax { get; set; } = 1_000_000;

    /// <summary>
    /// How state is serialized. Unset: Orleans' binary serializer (compact and version tolerant
    /// with <c>[Id]</c> members), unless a serializer is registered under the provider's name.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>The silo lifecycle stage at which the provider connects to its memory nodes.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// The default layout for grain state: 16 silos, keys up to 1 KiB (service id, grain type,
    /// grain key and state name), states up to 1 MiB, 64 MiB of buffers per silo per memory node.
    /// </summary>
    /// <summary>
    /// How the provider redials memory nodes: these delays, and the layout's clock-skew allowance
    /// for the rule that a new connection waits until the old one's batches cannot land.
    /// </summary>
    public ReconnectOptions ReconnectOptions() => new()
    {
        InitialDelay = ReconnectInitialDelay,
        MaxDelay = ReconnectMaxDelay,
        ClockSkewAllowance = Layout.ClockSkewAllowance,
    };

    public static SwarmKvOptions DefaultLayout() => new()
    {
        MaxWriters = 16,
        BucketCount = 16384,
        EntriesPerWriter = 4,
        InPlaceValueBytes = 128,
        KeyBytesMax = 1024,
        MaxValueBytes = 1 << 20,
        ArenaBytesPerWriter = 64L << 20,
    };
}
