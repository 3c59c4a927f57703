using System.Net;
using System.Net.Sockets;
using Grid.RdmaTransport.Tcp;
using Grid.RdmaTransport.Tests.Support;
using Grid.Testing.Processes;

namespace Grid.RdmaTransport.Tests.Tcp;

/// <summary>Tests that stop, freeze or kill their own grid-memnode process.</summary>
public sealed class MemoryNodeLifecycleTests
{
    private static readonly TcpTransportOptions FastTimeouts = new()
    {
        OperationTimeout = TimeSpan.FromMilliseconds(500),
        HandshakeTimeout = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_stalled_memory_node_gives_a_timeout_not_a_hang()
    {
        await using var node = await TestMemoryNode.StartAsync();
        await using var pair = await node.ConnectAsync(new NodeId(1), FastTimeouts);
        await pair.WriteAsync(0, 0, new byte[8]);

        node.Signal("STOP");
        var error = await Assert.ThrowsAsync<TransportException>(() =>
            pair.ReadAsync(0, 0, new byte[8]).AsTask().WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        node.Signal("CONT");

        Assert.Equal(TransportError.Timeout, error.Error);
        Assert.Equal(QueuePairState.Closed, pair.State);
        var closed = await Assert.ThrowsAsync<TransportException>(() => pair.ReadAsync(0, 0, new byte[8]).AsTask());
        Assert.Equal(TransportError.ConnectionClosed, closed.Error);
    }

    [Fact]
    public async Task A_killed_memory_node_fails_outstanding_and_new_batches()
    {
        await using var node = await TestMemoryNode.StartAsync();
        await using var pair = await node.ConnectAsync(new NodeId(1), FastTimeouts);
        await pair.WriteAsync(0, 0, new byte[8]);

        node.Signal("KILL");
        await node.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var error = await Assert.ThrowsAsync<TransportException>(() =>
            pair.ReadAsync(0, 0, new byte[8]).AsTask().WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));

        Assert.Contains(error.Error,
            new[] { TransportError.PeerUnreachable, TransportError.ConnectionClosed, TransportError.Timeout });
        var refused = await Assert.ThrowsAsync<TransportException>(
            () => TcpQueuePair.ConnectAsync(node.Address, new NodeId(2), node.Key, FastTimeouts));
        Assert.Equal(TransportError.PeerUnreachable, refused.Error);
    }

    [Fact]
    public async Task Sigterm_stops_the_node_cleanly()
    {
        await using var node = await TestMemoryNode.StartAsync();
        await using var pair = await node.ConnectAsync(new NodeId(1));

        node.Signal("TERM");
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.Contains("stopping on signal", node.StandardError, StringComparison.Ordinal);
        Assert.Contains("authenticated as node-1", node.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_hello_gives_a_handshake_timeout()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen();
        var key = ClusterKey.FromSecret(ClusterKey.GenerateSecret());

        var error = await Assert.ThrowsAsync<TransportException>(() => TcpQueuePair.ConnectAsync(
            silent.LocalEndPoint!, new NodeId(1), key, FastTimeouts, TestContext.Current.CancellationToken));

        Assert.True(error.Error == TransportError.Timeout, error.Message);
        Assert.Contains("handshake", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_clock_skew_flag_sets_how_late_a_batch_may_run()
    {
        await using var strict = await TestMemoryNode.StartAsync("--clock-skew", "0");
        await using var lenient = await TestMemoryNode.StartAsync("--clock-skew", "60000");
        await using var toStrict = await strict.ConnectAsync(new NodeId(1));
        await using var toLenient = await lenient.ConnectAsync(new NodeId(1));
        VerbBatch Late()
        {
            var batch = new VerbBatch();
            batch.Write(0, 0, BitConverter.GetBytes(7UL));
            batch.NotAfter = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5);
            return batch;
        }

        var refused = await Assert.ThrowsAsync<TransportException>(async () => await toStrict.PostAsync(Late()));
        await toLenient.PostAsync(Late());

        Assert.Equal(TransportError.Expired, refused.Error);
        Assert.Contains("allowance 0 ms", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_documents_every_option()
    {
        var (exitCode, output, _) = await TestMemoryNode.RunAsync("--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[]
        {
            "--listen", "--size", "--cluster-key-file", "--cluster-key-env", "--node-id",
            "--owned-region", "--data", "--cluster-id", "--flush-interval", "--clock-skew", "--max-frame",
            "--log-level",
        })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("a cluster key is required", "--listen", "127.0.0.1:0")]
    [InlineData("is not a size", "--size", "lots", "--cluster-key-env", "PATH")]
    [InlineData("is not HOST:PORT", "--listen", "nowhere", "--cluster-key-env", "PATH")]
    [InlineData("does not exist", "--cluster-key-file", "/nonexistent/grid.key")]
    [InlineData("OWNER:SIZE", "--owned-region", "x", "--cluster-key-env", "PATH")]
    [InlineData("cluster id 'no spaces'", "--cluster-id", "no spaces", "--cluster-key-env", "PATH")]
    [InlineData("a flush interval needs a data file", "--flush-interval", "1", "--cluster-key-env", "PATH")]
    [InlineData("--flush-interval -1 is not", "--flush-interval", "-1", "--data", "x", "--cluster-key-env", "PATH")]
    [InlineData("--clock-skew -5 is not", "--clock-skew", "-5", "--cluster-key-env", "PATH")]
    public async Task Bad_arguments_exit_2_with_a_clear_message(string expected, params string[] arguments)
    {
        var (exitCode, _, error) = await TestMemoryNode.RunAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
