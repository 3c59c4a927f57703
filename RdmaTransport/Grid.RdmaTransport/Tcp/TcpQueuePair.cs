using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// A queue pair over TCP to a <see cref="TcpEndpointListener"/>. Batches are framed and written
/// in post order on one socket; the target executes them in that order and answers in that
/// order, so many batches can be outstanding and each completes as one roundtrip. A watchdog
/// fails the connection when the oldest batch waits longer than the operation timeout, so a
/// dead peer gives errors, not hangs.
/// </summary>
public sealed class TcpQueuePair : QueuePair
{
    private readonly Socket _socket;
    private readonly FrameReader _reader;
    private FrameWriter _writer;
    private FrameWriter _spare = new();
    private readonly TcpTransportOptions _options;
    private readonly Handshake.Welcome _welcome;
    private readonly object _sendLock = new();
    private readonly Queue<(VerbBatch Batch, ulong RequestId)> _outstanding = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly long _timeoutTicks;
    private readonly string _remoteName;
    private ITimer? _watchdog;
    private Task _receiveLoop = Task.CompletedTask;
    private ulong _nextRequestId;
    private int _failed;
    private bool _corked;
    private bool _sending;

    private TcpQueuePair(
        Socket socket,
        FrameReader reader,
        FrameWriter writer,
        TcpTransportOptions options,
        NodeId localNode,
        Handshake.Welcome welcome,
        string remoteName)
        : base(localNode, welcome.Server, welcome.Regions, welcome.Identity)
    {
        _socket = socket;
        _reader = reader;
        _writer = writer;
        _options = options;
        _welcome = welcome;
        _remoteName = remoteName;
        _timeoutTicks = (long)(options.OperationTimeout.TotalSeconds * Stopwatch.Frequency);
    }

    public override string Fabric => "tcp";

    public EndPoint RemoteEndPoint => _socket.RemoteEndPoint!;

    /// <summary>Connects, authenticates with the cluster key and starts the receive loop.</summary>
    public static async Task<TcpQueuePair> ConnectAsync(
        EndPoint remote,
        NodeId localNode,
        ClusterKey clusterKey,
        TcpTransportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(clusterKey);
        options ??= new TcpTransportOptions();
        options.Validate();
        var remoteName = remote.ToString() ?? "the peer";
        var socket = new Socket(remote.AddressFamily == AddressFamily.Unspecified
            ? AddressFamily.InterNetwork : remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
        };
        var reader = new FrameReader(socket, options.MaxPayloadBytes);
        var writer = new FrameWriter();
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(options.ConnectTimeout);
                await ConnectSocketAsync(socket, remote, remoteName, options, connect.Token, cancellationToken)
                    .ConfigureAwait(false);
            }

            Handshake.Welcome welcome;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                handshake.CancelAfter(options.HandshakeTimeout);
                try
                {
                    welcome = await Handshake.RunClientAsync(
                        socket, reader, writer, localNode, clusterKey, remoteName, handshake.Token)
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TransportException(TransportError.Timeout,
                        $"{remoteName} did not complete the handshake within {options.HandshakeTimeout}");
                }
                catch (SocketException ex)
                {
                    throw new TransportException(TransportError.ConnectionClosed,
                        $"{remoteName} dropped the connection during the handshake: {ex.Message}", ex);
                }
            }

            var queuePair = new TcpQueuePair(socket, reader, writer, options, localNode, welcome, remoteName);
            queuePair.Start();
            return queuePair;
        }
        catch
        {
            socket.Dispose();
            reader.Dispose();
            writer.Dispose();
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Fail(TransportError.ConnectionClosed, $"the connection to {_remoteName} was closed by this side");
        await _receiveLoop.ConfigureAwait(false);
        _closing.Dispose();
    }

    protected override void PostCore(VerbBatch batch)
    {
        var refusal = CheckLimits(batch);
        if (refusal is not null)
        {
            Complete(batch, TransportError.LimitExceeded, -1, refusal);
            return;
        }

        var closed = false;
        var startSending = false;
        lock (_sendLock)
        {
            if (_failed != 0)
            {
                closed = true;
            }
            else if (_outstanding.Count >= _options.MaxOutstandingBatches)
            {
                refusal = $"{_outstanding.Count} batches are outstanding on the connection to " +
                    $"{_remoteName}, the limit is {_options.MaxOutstandingBatches}";
            }
            else
            {
                var requestId = ++_nextRequestId;
                BatchCodec.WriteRequest(_writer, batch, requestId);
                _writer.Finish();
                _outstanding.Enqueue((batch, requestId));
                // While the receive loop dispatches completions, posts are corked and leave
                // together when it is done (FlushCorked): one send for many batches.
                startSending = !_corked && !_sending;
                _sending |= startSending;
            }
        }

        if (refusal is not null)
        {
            Complete(batch, TransportError.LimitExceeded, -1, refusal);
        }
        else if (closed)
        {
            Complete(batch, TransportError.ConnectionClosed, -1, $"the connection to {_remoteName} is closed");
        }
        else if (startSending)
        {
            _ = SendLoopAsync();
        }
    }

    /// <summary>
    /// Sends whatever frames are pending, swapping buffers so posts keep appending meanwhile,
    /// until none are left. Asynchronous on purpose: with inline socket completions a post may run
    /// on the thread that drains responses, and a blocking send of a frame larger than the socket
    /// buffer would stall both directions until the peer gave up. A send that completes at once
    /// (the common case) stays on the posting thread.
    /// </summary>
    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                FrameWriter sending;
                lock (_sendLock)
                {
                    if (_failed != 0 || _writer.PendingBytes == 0)
                    {
                        _sending = false;
                        DisposeWritersIfFailed();
                        return;
                    }

                    (_writer, _spare) = (_spare, _writer);
                    sending = _spare;
                }

                var data = sending.Pending;
                while (!data.IsEmpty)
                {
                    var sent = await _socket.SendAsync(data, SocketFlags.None, _closing.Token).ConfigureAwait(false);
                    data = data[sent..];
                }

                sending.Clear();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            lock (_sendLock)
            {
                _sending = false;
                DisposeWritersIfFailed();
            }

            Fail(TransportError.ConnectionClosed, $"the connection to {_remoteName} is closed: {ex.Message}");
        }
    }

    /// <summary>Pooled buffers go back only when no send uses them; call under the send lock.</summary>
    private void DisposeWritersIfFailed()
    {
        if (_failed != 0 && !_sending)
        {
            _writer.Dispose();
            _spare.Dispose();
        }
    }

    private static async Task ConnectSocketAsync(
        Socket socket,
        EndPoint remote,
        string remoteName,
        TcpTransportOptions options,
        CancellationToken connectToken,
        CancellationToken callerToken)
    {
        try
        {
            await socket.ConnectAsync(remote, connectToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            throw new TransportException(TransportError.Timeout,
                $"no connection to {remoteName} within {options.ConnectTimeout}");
        }
        catch (SocketException ex)
        {
            throw new TransportException(TransportError.PeerUnreachable,
                $"cannot connect to {remoteName}: {ex.Message}", ex);
        }
    }

    private string? CheckLimits(VerbBatch batch)
    {
        if (batch.Count > _welcome.MaxOpsPerBatch)
        {
            return $"a batch of {batch.Count} ops exceeds the limit of {_welcome.MaxOpsPerBatch} " +
                $"set by {_remoteName}";
        }

        var limit = Math.Min(_welcome.MaxPayloadBytes, _options.MaxPayloadBytes);
        var (request, result) = BatchCodec.Sizes(batch);
        if (request > limit || result > limit)
        {
            return $"the batch needs a frame of {Math.Max(request, result)} bytes, above the limit of {limit}";
        }

        return null;
    }

    private void Start()
    {
        var period = TimeSpan.FromTicks(Math.Max(
            _options.OperationTimeout.Ticks / 8, TimeSpan.FromMilliseconds(5).Ticks));
        _watchdog = _options.TimeProvider.CreateTimer(_ => CheckTimeout(), null, period, period);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    private void CheckTimeout()
    {
        long postedAt;
        lock (_sendLock)
        {
            if (_failed != 0 || !_outstanding.TryPeek(out var oldest))
            {
                return;
            }

            postedAt = oldest.Batch.PostedTimestamp;
        }

        if (Stopwatch.GetTimestamp() - postedAt > _timeoutTicks)
        {
            Fail(TransportError.Timeout,
                $"no completion from {_remoteName} within {_options.OperationTimeout}: " +
                "the peer is dead or stalled");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            do
            {
                lock (_sendLock)
                {
                    _corked = true;
                }

                while (_reader.TryReadFrame())
                {
                    if (!Dispatch())
                    {
                        return;
                    }
                }

                FlushCorked();
            }
            while (await _reader.ReceiveAsync(_closing.Token).ConfigureAwait(false));

            Fail(TransportError.ConnectionClosed, $"{_remoteName} closed the connection");
        }
        catch (TransportException ex)
        {
            Fail(ex.Error, $"connection to {_remoteName}: {ex.Message}");
        }
        catch (OperationCanceledException)
        {
            Fail(TransportError.ConnectionClosed, $"the connection to {_remoteName} was closed");
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Fail(TransportError.PeerUnreachable, $"lost the connection to {_remoteName}: {ex.Message}");
        }
        finally
        {
            _reader.Dispose();
        }
    }

    private void FlushCorked()
    {
        bool start;
        lock (_sendLock)
        {
            _corked = false;
            start = _failed == 0 && !_sending && _writer.PendingBytes > 0;
            _sending |= start;
        }

        if (start)
        {
            _ = SendLoopAsync();
        }
    }

    /// <summary>Completes the batch a frame answers; false once the connection has failed.</summary>
    private bool Dispatch()
    {
        var header = _reader.Header;
        if (header.Type == FrameType.Error)
        {
            var error = Handshake.ParseError(_reader.Payload, _remoteName);
            Fail(error.Error, error.Message);
            return false;
        }

        VerbBatch batch;
        lock (_sendLock)
        {
            if (header.Type != FrameType.BatchResult || !_outstanding.TryPeek(out var oldest)
                || oldest.RequestId != header.RequestId)
            {
                batch = null!;
            }
            else
            {
                batch = _outstanding.Dequeue().Batch;
            }
        }

        if (batch is null)
        {
            Fail(TransportError.MalformedFrame,
                $"{_remoteName} sent a {header.Type} frame for request {header.RequestId}, " +
                "which is not the oldest outstanding batch");
            return false;
        }

        try
        {
            var (error, failedOp, message) = BatchCodec.ReadResult(_reader.Payload, batch);
            Complete(batch, error, failedOp, message is null ? null : $"{_remoteName}: {message}");
            return true;
        }
        catch (TransportException ex)
        {
            Complete(batch, ex.Error, -1, $"{_remoteName} sent {ex.Message}");
            Fail(ex.Error, $"{_remoteName} sent {ex.Message}");
            return false;
        }
    }

    /// <summary>Closes the connection once and fails every outstanding batch with the cause.</summary>
    private void Fail(TransportError error, string message)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return;
        }

        SetState(QueuePairState.Closed, message);
        _watchdog?.Dispose();
        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone: nothing to shut down.
        }

        _socket.Dispose();
        (VerbBatch Batch, ulong RequestId)[] pending;
        lock (_sendLock)
        {
            pending = [.. _outstanding];
            _outstanding.Clear();
            DisposeWritersIfFailed();
        }

        foreach (var (batch, _) in pending)
        {
            Complete(batch, error, -1, message);
        }
    }
}
