using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// Reads frames from a socket through one pooled buffer, many frames per receive:
/// <see cref="TryReadFrame"/> takes the next frame already buffered (no I/O), and
/// <see cref="ReceiveAsync"/> fills the buffer. A frame's payload stays valid until the next
/// read. A header that is wrong (length above the limit, unknown version, bad checksum) throws a
/// <see cref="TransportException"/> before any payload is trusted.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly Socket _socket;
    private readonly int _maxPayloadBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _consumed;
    private int _needed = WireFormat.HeaderBytes;

    public FrameReader(Socket socket, int maxPayloadBytes)
    {
        _socket = socket;
        _maxPayloadBytes = maxPayloadBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    public FrameHeader Header { get; private set; }

    public ReadOnlySpan<byte> Payload =>
        _buffer.AsSpan(_start + WireFormat.HeaderBytes, Header.PayloadBytes);

    /// <summary>Reads the next frame; false when the peer closed the connection between frames.</summary>
    public async ValueTask<bool> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (!TryReadFrame())
        {
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Takes the next whole frame from the buffer, if one is there.</summary>
    public bool TryReadFrame()
    {
        _start += _consumed;
        _consumed = 0;
        var available = _end - _start;
        if (available < WireFormat.HeaderBytes)
        {
            _needed = WireFormat.HeaderBytes;
            return false;
        }

        var frameBytes = ParseHeader();
        if (available < frameBytes)
        {
            _needed = frameBytes;
            return false;
        }

        _consumed = frameBytes;
        VerifyChecksum();
        return true;
    }

    /// <summary>
    /// Receives more bytes; false when the peer closed the connection between frames. Closing
    /// inside a frame is an error.
    /// </summary>
    public async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        _start += _consumed;
        _consumed = 0;
        EnsureRoom(Math.Max(_needed, WireFormat.HeaderBytes));
        var received = await _socket
            .ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken)
            .ConfigureAwait(false);
        if (received == 0)
        {
            if (_end == _start)
            {
                return false;
            }

            throw new TransportException(
                TransportError.ConnectionClosed, "the peer closed the connection inside a frame");
        }

        _end += received;
        return true;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int ParseHeader()
    {
        var header = _buffer.AsSpan(_start, WireFormat.HeaderBytes);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length < WireFormat.HeaderAfterLengthBytes)
        {
            throw new TransportException(
                TransportError.MalformedFrame, $"frame length {length} is shorter than a header");
        }

        if (length - WireFormat.HeaderAfterLengthBytes > (uint)_maxPayloadBytes)
        {
            throw new TransportException(
                TransportError.LimitExceeded,
                $"frame length {length} exceeds the limit of {_maxPayloadBytes} payload bytes");
        }

        if (header[4] != WireFormat.Version)
        {
            throw new TransportException(
                TransportError.MalformedFrame,
                $"frame version {header[4]} is not the supported version {WireFormat.Version}");
        }

        var type = (FrameType)header[5];
        if (!Enum.IsDefined(type))
        {
            throw new TransportException(TransportError.MalformedFrame, $"unknown frame type {header[5]}");
        }

        var payloadBytes = (int)length - WireFormat.HeaderAfterLengthBytes;
        Header = new FrameHeader(type, BinaryPrimitives.ReadUInt64LittleEndian(header[12..]), payloadBytes);
        return WireFormat.HeaderBytes + payloadBytes;
    }

    private void VerifyChecksum()
    {
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + 8));
        if (WireFormat.Checksum(Payload) != expected)
        {
            throw new TransportException(
                TransportError.MalformedFrame, $"checksum mismatch in a {Header.Type} frame");
        }
    }

    private void EnsureRoom(int frameBytes)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_start + frameBytes <= _buffer.Length && _end < _buffer.Length)
        {
            return;
        }

        var target = frameBytes <= _buffer.Length ? _buffer : ArrayPool<byte>.Shared.Rent(frameBytes);
        _buffer.AsSpan(_start, _end - _start).CopyTo(target);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _end -= _start;
        _start = 0;
    }
}
