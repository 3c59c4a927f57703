using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Tests.Support;

/// <summary>
/// A hand-driven socket to a listener, for sending what a well-behaved client never would and
/// reading how the server answers.
/// </summary>
public sealed class RawPeer : IDisposable
{
    private readonly Socket _socket;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer = new();

    private RawPeer(Socket socket)
    {
        _socket = socket;
        _reader = new FrameReader(socket, 1 << 20);
    }

    public static async Task<RawPeer> ConnectAsync(IPEndPoint address)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address);
        return new RawPeer(socket);
    }

    /// <summary>A peer past the handshake: authenticated, free to send malformed batches.</summary>
    public static async Task<RawPeer> ConnectAuthenticatedAsync(IPEndPoint address, ClusterKey key, NodeId local)
    {
        var peer = await ConnectAsync(address);
        await Handshake.RunClientAsync(
            peer._socket, peer._reader, peer._writer, local, key, address.ToString(), CancellationToken.None);
        return peer;
    }

    public Task SendAsync(byte[] bytes) => _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Sends one well-framed frame with any type and payload.</summary>
    internal Task SendFrameAsync(FrameType type, ulong requestId, byte[] payload)
    {
        _writer.Clear();
        _writer.Begin(type, requestId);
        _writer.WriteBytes(payload);
        return _socket.SendAsync(_writer.Finish(), SocketFlags.None).AsTask();
    }

    /// <summary>
    /// What the server said before closing: the Error frame's code and message, or null when it
    /// closed without one.
    /// </summary>
    public async Task<(TransportError Error, string Message)?> ReadRefusalAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await _reader.ReadFrameAsync(timeout.Token))
            {
                if (_reader.Header.Type == FrameType.Error)
                {
                    var payload = _reader.Payload;
                    var length = BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]);
                    return ((TransportError)payload[0], Encoding.UTF8.GetString(payload.Slice(3, length)));
                }
            }
        }
        catch (SocketException)
        {
            // Reset by the server: closed without a frame we could read.
        }

        return null;
    }

    /// <summary>True once the server closed the connection (reads return end of stream).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _reader.Dispose();
        _writer.Dispose();
    }
}
