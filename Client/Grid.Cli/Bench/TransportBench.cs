using System.Globalization;
using System.Net;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.RdmaTransport.Tcp;

namespace Grid.Cli.Bench;

/// <summary>
/// <c>grid bench transport</c> in one run: a bare socket ping-pong (the floor of TCP on this
/// machine), the verbs over the TCP fabric to a memory node, and the same verbs over the
/// in-process fabric (no network at all), each at 1 and 16 outstanding batches on one queue
/// pair. Owns what it starts; dispose it when the rows have run.
/// </summary>
internal sealed class TransportBench : IAsyncDisposable
{
    public const string Name = "transport";

    /// <summary>Outstanding batches: 1 (pure latency), 16 (pipelining on one queue pair).</summary>
    public static readonly IReadOnlyList<int> OutstandingCounts = [1, 16];

    public static int OutstandingMax => OutstandingCounts.Max();

    /// <summary>Region of the memory node started here; the bench needs only a few KiB.</summary>
    private const long LocalRegionBytes = 1L << 20;

    private static readonly NodeId ClientNode = new(1);
    private static readonly NodeId InProcTargetNode = new(1000);

    private SocketPingPong? _pingPong;
    private MemoryNodeServer? _localMemoryNode;
    private QueuePair? _tcp;
    private InProcFabric? _fabric;
    private QueuePair? _inProc;

    private TransportBench()
    {
    }

    /// <summary>
    /// Starts the echo server, the memory node (unless one is given) and both queue pairs.
    /// Throws <see cref="TransportException"/> when the memory node cannot be reached or used.
    /// </summary>
    public static async Task<TransportBench> StartAsync(
        TransportBenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bench = new TransportBench();
        try
        {
            bench._pingPong = await SocketPingPong.StartAsync(cancellationToken)
                .ConfigureAwait(false);
            var memoryNode = settings.MemoryNode;
            if (memoryNode is null)
            {
                bench._localMemoryNode = MemoryNodeServer.Start(
                    new MemoryNodeOptions
                    {
                        Listen = new IPEndPoint(IPAddress.Loopback, 0),
                        RegionBytes = LocalRegionBytes,
                    },
                    settings.ClusterKey);
                memoryNode = bench._localMemoryNode.LocalEndPoint;
            }

            bench._tcp = await TcpQueuePair.ConnectAsync(
                memoryNode, ClientNode, settings.ClusterKey, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            VerbWorkload.EnsureRegionFits(bench._tcp, OutstandingMax);

            bench._fabric = new InProcFabric();
            bench._fabric.AddEndpoint(InProcTargetNode).RegisterRegion(LocalRegionBytes);
            bench._inProc = bench._fabric.Connect(ClientNode, InProcTargetNode);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The rows in display order: the socket floor, then per fabric each op at each outstanding
    /// count.
    /// </summary>
    public IReadOnlyList<BenchRow> CreateRows()
    {
        if (_pingPong is null || _tcp is null || _inProc is null)
        {
            throw new InvalidOperationException("the bench is not started or already disposed");
        }

        var rows = new List<BenchRow> { _pingPong.CreateRow() };
        foreach (var queuePair in (QueuePair[])[_tcp, _inProc])
        {
            foreach (var op in VerbWorkload.Ops)
            {
                foreach (var outstanding in OutstandingCounts)
                {
                    rows.Add(VerbWorkload.CreateRow(queuePair, op, outstanding));
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// The two headline ratios: what the TCP fabric adds to a bare socket roundtrip, and what
    /// 16 outstanding batches on one queue pair buy over one.
    /// </summary>
    public static string DescribeRatios(IReadOnlyList<BenchResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var socket = Find(results, SocketPingPong.System, SocketPingPong.Op, 1);
        var read1 = Find(results, "tcp", "read64", 1);
        var read16 = Find(results, "tcp", "read64", OutstandingMax);
        var overhead = Ratio(read1?.P50Microseconds, socket?.P50Microseconds);
        var scaling = Ratio(read16?.OpsPerSecond, read1?.OpsPerSecond);
        return $"tcp read64 p50 / socket-pingpong p50 = {overhead}; " +
            $"tcp read64 ops/s @{OutstandingMax} / @1 = {scaling}";
    }

    public async ValueTask DisposeAsync()
    {
        // Reverse order of start: connections before the node they talk to.
        if (_inProc is not null)
        {
            await _inProc.DisposeAsync().ConfigureAwait(false);
        }

        _fabric?.Dispose();
        if (_tcp is not null)
        {
            await _tcp.DisposeAsync().ConfigureAwait(false);
        }

        if (_localMemoryNode is not null)
        {
            await _localMemoryNode.DisposeAsync().ConfigureAwait(false);
        }

        if (_pingPong is not null)
        {
            await _pingPong.DisposeAsync().ConfigureAwait(false);
        }

        (_inProc, _fabric, _tcp, _localMemoryNode, _pingPong) = (null, null, null, null, null);
    }

    private static BenchResult? Find(
        IReadOnlyList<BenchResult> results, string system, string op, int outstanding) =>
        results.FirstOrDefault(
            r => r.System == system && r.Op == op && r.Outstanding == outstanding);

    private static string Ratio(double? numerator, double? denominator) =>
        numerator is { } n && denominator is > 0 and { } d
            ? (n / d).ToString("0.00", CultureInfo.InvariantCulture) + "x"
            : "n/a";
}
