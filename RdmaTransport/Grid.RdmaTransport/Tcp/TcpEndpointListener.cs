using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// Serves a <see cref="MemoryEndpoint"/> over TCP: accepts connections, authenticates them with
/// the cluster key, then executes their batches in order with the peer's rights. A connection
/// that sends anything malformed gets an Error frame naming the fault and is closed; every other
/// connection keeps being served. It runs no protocol logic.
/// </summary>
public sealed partial class TcpEndpointListener : IAsyncDisposable
{
    private const int FlushThresholdBytes = 256 * 1024;
    private readonly MemoryEndpoint _endpoint;
    private readonly ClusterKey _clusterKey;
    private readonly TcpTransportOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    public TcpEndpointListener(
        MemoryEndpoint endpoint,
        ClusterKey clusterKey,
        TcpTransportOptions? options = null,
        ILogger<TcpEndpointListener>? logger = null)
    {
        _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _clusterKey = clusterKey ?? throw new ArgumentNullException(nameof(clusterKey));
        _options = options ?? new TcpTransportOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The bound address (with the real port when port 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("not started"));

    public int ConnectionCount => _connections.Count;

    public void Start(IPEndPoint listenOn)
    {
        ArgumentNullException.ThrowIfNull(listenOn);
        if (_listener is not null)
        {
            throw new InvalidOperationException("the listener is already started");
        }

        var listener = new Socket(listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(listenOn);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        foreach (var socket in _connections.Keys)
        {
            socket.Dispose();
        }

        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(ex.SocketErrorCode);
                continue;
            }

            socket.NoDelay = true;
            var served = new TaskCompletionSource();
            _connections[socket] = served.Task;
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(socket).ConfigureAwait(false);
                }
                finally
                {
                    _connections.TryRemove(socket, out _);
                    socket.Dispose();
                    served.SetResult();
                }
            });
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        using var reader = new FrameReader(socket, _options.MaxPayloadBytes);
        using var writer = new FrameWriter();
        var peer = default(NodeId);
        var authenticated = false;
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                handshake.CancelAfter(_options.HandshakeTimeout);
                try
                {
                    peer = await Handshake.RunServerAsync(
                        socket, reader, writer, _endpoint, _clusterKey, _options, handshake.Token)
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
                {
                    throw new TransportException(TransportError.Timeout,
                        $"no handshake within {_options.HandshakeTimeout}");
                }
            }

            authenticated = true;
            LogConnected(remote, peer);
            await ServeBatchesAsync(socket, reader, writer, peer).ConfigureAwait(false);
            LogDisconnected(remote, peer);
        }
        catch (TransportException ex)
        {
            LogRefused(remote, authenticated ? peer.ToString() : "unauthenticated", ex.Error, ex.Message);
            await TrySendErrorAsync(socket, writer, ex.Error, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException
            or OperationCanceledException)
        {
            LogDropped(remote, ex.Message);
        }
    }

    /// <summary>
    /// Executes every frame that one receive brought in, then answers them all with one send:
    /// pipelined batches cost one system call each way, not one per batch.
    /// </summary>
    private async Task ServeBatchesAsync(Socket socket, FrameReader reader, FrameWriter writer, NodeId peer)
    {
        var inError = false;
        while (true)
        {
            while (reader.TryReadFrame())
            {
                Execute(reader, writer, peer, ref inError);
                if (writer.PendingBytes >= FlushThresholdBytes)
                {
                    await Handshake.SendAsync(socket, writer.Pending, _stopping.Token).ConfigureAwait(false);
                    writer.Clear();
                }
            }

            if (writer.PendingBytes > 0)
            {
                await Handshake.SendAsync(socket, writer.Pending, _stopping.Token).ConfigureAwait(false);
                writer.Clear();
            }

            if (!await reader.ReceiveAsync(_stopping.Token).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private void Execute(FrameReader reader, FrameWriter writer, NodeId peer, ref bool inError)
    {
        var header = reader.Header;
        switch (header.Type)
        {
            case FrameType.Batch:
                BatchCodec.Execute(reader.Payload, header.RequestId, _endpoint, peer, _options, ref inError, writer);
                break;
            case FrameType.TimedBatch:
                BatchCodec.ExecuteTimed(reader.Payload, header.RequestId, _endpoint, peer, _options, ref inError, writer);
                break;
            case FrameType.Reset:
                inError = false;
                writer.Begin(FrameType.BatchResult, header.RequestId);
                BatchCodec.WriteFailure(writer, TransportError.None, WireFormat.NoFailedOp, 0, "");
                break;
            default:
                throw new TransportException(
                    TransportError.MalformedFrame, $"unexpected {header.Type} frame after the handshake");
        }

        writer.Finish();
    }

    private static async Task TrySendErrorAsync(
        Socket socket, FrameWriter writer, TransportError error, string message)
    {
        try
        {
            // Answers already executed go first, then the refusal.
            writer.DiscardUnfinished();
            writer.Begin(FrameType.Error, 0);
            writer.WriteByte((byte)error);
            writer.WriteMessage(message);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await Handshake.FlushAsync(socket, writer, timeout.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException
            or OperationCanceledException)
        {
            // The peer is gone already; the refusal was logged.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "connection from {Remote} authenticated as {Peer}")]
    private partial void LogConnected(string remote, NodeId peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection from {Remote} ({Peer}) closed")]
    private partial void LogDisconnected(string remote, NodeId peer);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "refused connection from {Remote} ({Peer}): {Error}: {Reason}")]
    private partial void LogRefused(string remote, string peer, TransportError error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection from {Remote} dropped: {Reason}")]
    private partial void LogDropped(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "accept failed: {Error}")]
    private partial void LogAcceptFailed(SocketError error);
}
