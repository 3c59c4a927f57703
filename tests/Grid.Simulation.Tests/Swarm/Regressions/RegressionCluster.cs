using System.Buffers.Binary;
using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Swarm;

namespace Grid.Simulation.Tests.Swarm.Regressions;

/// <summary>
/// Three memory nodes on the in-process fabric and SWARM clients over them, all on one
/// <see cref="ManualTimeProvider"/>: time moves only when a test moves it, and the fabric judges
/// batch deadlines by the same clock, with the options' skew allowance. Ops run inline on the
/// test's thread, so a roundtrip completes with the first majority in node order (nodes 0 and 1
/// unless one is held or down). Tests hold a client's links (<see cref="Hold"/>) to delay its
/// batches and release them when they choose.
/// </summary>
internal sealed class RegressionCluster : IDisposable
{
    public static readonly NodeId[] MemoryNodes = [new(1000), new(1001), new(1002)];

    private static readonly DateTimeOffset Origin = new ManualTimeProvider().GetUtcNow();

    public RegressionCluster(SwarmOptions options)
    {
        Layout = new SwarmLayout(options);
        Fabric = new InProcFabric(new InProcFabricOptions
        {
            TimeProvider = Time,
            Deadlines = new BatchDeadline(options.ClockSkewAllowance, TimeSpan.FromSeconds(10)),
        });
        foreach (var node in MemoryNodes)
        {
            Fabric.AddEndpoint(node).RegisterRegion(Layout.RegionBytes);
        }
    }

    public ManualTimeProvider Time { get; } = new();

    public InProcFabric Fabric { get; }

    public SwarmLayout Layout { get; }

    /// <summary>Guesses in microseconds of the manual clock: they move only with it.</summary>
    public ISwarmClock Clock => new ManualSwarmClock(Time);

    public QueuePair[] Connect(uint client) => MemoryNodes.Select(m => Fabric.Connect(new NodeId(client), m)).ToArray();

    /// <summary>
    /// One <see cref="ReconnectingQueuePair"/> per memory node, on the manual clock with the
    /// fabric's skew allowance: 100 ms first back-off, no jitter.
    /// </summary>
    public ReconnectingQueuePair[] ConnectReconnecting(uint client) => MemoryNodes.Select(m =>
        new ReconnectingQueuePair(new NodeId(client), m, $"node-{m.Value}",
            _ => Task.FromResult(Fabric.Connect(new NodeId(client), m)),
            new ReconnectOptions
            {
                InitialDelay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(1),
                Jitter = 0,
                ClockSkewAllowance = Fabric.Options.Deadlines.ClockSkewAllowance,
                TimeProvider = Time,
            },
            connected: Fabric.Connect(new NodeId(client), m))).ToArray();

    /// <summary>Moves the manual clock in 10 ms steps, so that timers set by timers fire in order.</summary>
    public void Advance(TimeSpan by)
    {
        var until = Time.GetUtcNow() + by;
        while (Time.GetUtcNow() < until)
        {
            var step = until - Time.GetUtcNow();
            Time.Advance(step < TimeSpan.FromMilliseconds(10) ? step : TimeSpan.FromMilliseconds(10));
        }
    }

    public Task<SafeGuessClient> StartAsync(int writerId, uint client, WriterLease? lease = null) =>
        SafeGuessClient.StartAsync(writerId, Connect(client), Layout, Clock, Time, lease: lease);

    /// <summary>Holds back every later request of <paramref name="client"/> to the given memory nodes.</summary>
    public void Hold(uint client, params int[] nodes)
    {
        foreach (var node in nodes)
        {
            Fabric.Faults.HoldLink(new NodeId(client), MemoryNodes[node]);
        }
    }

    /// <summary>Lets the held requests of <paramref name="client"/> arrive now; returns them.</summary>
    public List<VerbBatch> Release(uint client, params int[] nodes) =>
        nodes.SelectMany(node => Fabric.Faults.ReleaseLink(new NodeId(client), MemoryNodes[node])).ToList();

    /// <summary>The key hash in a writer's entry of a bucket, as memory node <paramref name="node"/> holds it.</summary>
    public ulong EntryKey(int node, int bucket, int writer, int entry) =>
        Word(node, Layout.EntryOffset(bucket, writer, entry));

    /// <summary>The slot word of a writer's entry of a bucket on a memory node.</summary>
    public ulong EntrySlot(int node, int bucket, int writer, int entry) =>
        Word(node, Layout.EntryOffset(bucket, writer, entry) + SwarmLayout.SlotOffsetInEntry);

    /// <summary>
    /// Sweeps the writer's deleted keys on every node, then puts back on node
    /// <paramref name="missed"/> the bytes of the writer's entry as they were before: the state a
    /// zeroing that never reached that node leaves (a sweep frees an entry only once every node
    /// confirmed it, but a reader's late write-back can raise it again there: Swarm README,
    /// "Open bugs").
    /// </summary>
    public async Task<int> ReleaseMissingNodeAsync(SafeGuessClient writer, int missed, int bucket, int entry)
    {
        var offset = (long)Layout.EntryOffset(bucket, writer.WriterId, entry);
        Assert.True(Fabric.GetEndpoint(MemoryNodes[missed]).TryGetRegion(0, out var region));
        var before = region.GetSpan(offset, SwarmLayout.EntryBytes).ToArray();
        var released = await writer.ReleaseDeletedAsync();
        before.CopyTo(region.GetSpan(offset, SwarmLayout.EntryBytes));
        return released;
    }

    public ulong Word(int node, ulong offset)
    {
        Assert.True(Fabric.GetEndpoint(MemoryNodes[node]).TryGetRegion(0, out var region));
        return region.ReadWord((long)offset);
    }

    public void Dispose() => Fabric.Dispose();

    public static byte[] Value(string text, int bytes)
    {
        var value = new byte[bytes];
        Encoding.UTF8.GetBytes(text).CopyTo(value, 0);
        return value;
    }

    public static string? Text(byte[]? value) =>
        value is null ? null : Encoding.UTF8.GetString(value).TrimEnd('\0');

    public static byte[] Le(ulong word)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, word);
        return bytes;
    }

    private sealed class ManualSwarmClock(TimeProvider time) : ISwarmClock
    {
        public ulong Now() => (ulong)((time.GetUtcNow() - Origin).Ticks / 10) + 1;
    }
}
