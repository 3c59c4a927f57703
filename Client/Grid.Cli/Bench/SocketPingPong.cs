using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Grid.Cli.Bench;

/// <summary>
/// The floor of this machine's TCP: 64 bytes out and back over a loopback socket with NoDelay,
/// sent and received in the same async style as the TCP fabric, but with no framing, no verbs
/// and no target-side work. The fabric's latency is read against this row.
/// </summary>
internal sealed class SocketPingPong : IAsyncDisposable
{
    public const string System = "socket-pingpong";
    public const string Op = "pingpong64";
    public const int MessageBytes = 64;

    private readonly Socket _listener;
    private readonly Socket _client;
    private readonly Task _echo;
    private readonly byte[] _request = new byte[MessageBytes];
    private readonly byte[] _response = new byte[MessageBytes];

    private SocketPingPong(Socket listener, Socket client, Task echo)
    {
        _listener = listener;
        _client = client;
        _echo = echo;
        Array.Fill(_request, (byte)0x5A);
    }

    /// <summary>Starts the echo server on a free loopback port and connects a client.</summary>
    public static async Task<SocketPingPong> StartAsync(CancellationToken cancellationToken)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
        };
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var accept = listener.AcceptAsync(cancellationToken);
            await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken)
                .ConfigureAwait(false);
            var server = await accept.ConfigureAwait(false);
            server.NoDelay = true;
            // The echo loop outlives the start-up token: it ends when the client closes.
            var echo = Task.Run(() => EchoAsync(server), CancellationToken.None);
            return new SocketPingPong(listener, client, echo);
        }
        catch
        {
            client.Dispose();
            listener.Dispose();
            throw;
        }
    }

    public BenchRow CreateRow() => new(System, Op, outstanding: 1, _ => PingAsync);

    public async ValueTask DisposeAsync()
    {
        // Closing the client ends the echo loop (it reads end-of-stream).
        _client.Dispose();
        await _echo.ConfigureAwait(false);
        _listener.Dispose();
    }

    /// <summary>One roundtrip; pooled so, like a reused VerbBatch, it allocates nothing.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PingAsync()
    {
        await SendAllAsync(_client, _request).ConfigureAwait(false);
        var received = 0;
        while (received < MessageBytes)
        {
            var read = await _client.ReceiveAsync(_response.AsMemory(received), SocketFlags.None)
                .ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the echo server closed the connection");
            }

            received += read;
        }
    }

    private static async Task EchoAsync(Socket server)
    {
        using (server)
        {
            var buffer = new byte[4 * MessageBytes];
            try
            {
                while (true)
                {
                    var read = await server.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)
                        .ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    await SendAllAsync(server, buffer.AsMemory(0, read)).ConfigureAwait(false);
                }
            }
            catch (SocketException)
            {
                // The client went away mid-exchange: the bench is over.
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
