using System.Net;
using Grid.RdmaTransport.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// A memory node: registered regions served over TCP, nothing else. It enforces rights but runs
/// no protocol logic and accepts no two-sided messages (DESIGN.md, process roles). Region 0 is
/// open to every authenticated peer; owned regions follow it. With a data file
/// (<see cref="MemoryNodeOptions.DataPath"/>) the regions and the node's identity outlive the
/// process; without, every start is a new, empty incarnation.
/// </summary>
public sealed partial class MemoryNodeServer : IAsyncDisposable
{
    private readonly TcpEndpointListener _listener;
    private readonly MemoryNodeDataFile? _dataFile;
    private readonly ITimer? _flushTimer;
    private readonly ILogger _logger;

    private MemoryNodeServer(
        MemoryEndpoint endpoint,
        TcpEndpointListener listener,
        MemoryNodeDataFile? dataFile,
        MemoryNodeOptions options,
        ILogger logger)
    {
        Endpoint = endpoint;
        _listener = listener;
        _dataFile = dataFile;
        _logger = logger;
        if (dataFile is not null && options.FlushInterval is { } interval)
        {
            _flushTimer = options.Transport.TimeProvider.CreateTimer(_ => Flush(), null, interval, interval);
        }
    }

    public MemoryEndpoint Endpoint { get; }

    /// <summary>The node's cluster and memory incarnation, as clients see it in the handshake.</summary>
    public MemoryNodeIdentity Identity => Endpoint.Identity;

    /// <summary>The data file's full path, or null for a node whose memory is volatile.</summary>
    public string? DataPath => _dataFile?.Path;

    /// <summary>True when this start created the data file (its memory started empty).</summary>
    public bool CreatedDataFile => _dataFile?.Created ?? false;

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public int ConnectionCount => _listener.ConnectionCount;

    /// <summary>
    /// Registers the regions (in the data file when one is given) and starts listening. Throws
    /// <see cref="DataFileException"/> when the data file cannot be served as it is.
    /// </summary>
    public static MemoryNodeServer Start(
        MemoryNodeOptions options, ClusterKey clusterKey, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var dataFile = options.DataPath is null ? null : OpenDataFile(options);
        MemoryEndpoint? endpoint = null;
        try
        {
            endpoint = dataFile is null
                ? new MemoryEndpoint(options.NodeId, clusterId: options.ClusterId)
                : new MemoryEndpoint(dataFile);
            endpoint.RegisterRegion(options.RegionBytes);
            foreach (var owned in options.OwnedRegions)
            {
                endpoint.RegisterOwnedRegion(owned.Bytes, owned.Owner);
            }

            var listener = new TcpEndpointListener(
                endpoint, clusterKey, options.Transport, loggerFactory.CreateLogger<TcpEndpointListener>());
            listener.Start(options.Listen);
            return new MemoryNodeServer(
                endpoint, listener, dataFile, options, loggerFactory.CreateLogger<MemoryNodeServer>());
        }
        catch
        {
            endpoint?.Dispose();
            dataFile?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the data file's changed pages to disk now (nothing without a data file). A failure
    /// is logged, not thrown: the memory is still served, only less durable than asked.
    /// </summary>
    public void Flush()
    {
        if (_dataFile is null)
        {
            return;
        }

        try
        {
            _dataFile.Flush();
        }
        catch (IOException ex)
        {
            LogFlushFailed(_dataFile.Path, ex.Message);
        }
    }

    /// <summary>
    /// Stops serving (closing every connection), flushes the data file, then frees or unmaps the
    /// memory and releases the file's lock.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_flushTimer is not null)
        {
            await _flushTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _listener.DisposeAsync().ConfigureAwait(false);
        Flush();
        Endpoint.Dispose();
        _dataFile?.Dispose();
    }

    private static MemoryNodeDataFile OpenDataFile(MemoryNodeOptions options)
    {
        // The identity is drawn now and kept only if the file is new; an existing file keeps its own.
        var wanted = new DataFileHeader(
            options.NodeId,
            MemoryNodeIdentity.Fresh(options.ClusterId),
            options.RegionBytes,
            [.. options.OwnedRegions],
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return MemoryNodeDataFile.OpenOrCreate(options.DataPath!, wanted);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "flushing data file {Path} failed: {Reason}; its memory is served, but a power loss may lose it")]
    private partial void LogFlushFailed(string path, string reason);
}
