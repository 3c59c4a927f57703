using System.Net;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;

namespace Grid.Testing.Processes;

/// <summary>
/// A real grid-memnode process for a test: a fresh cluster key in a temporary file, a random
/// loopback port, and connections authenticated with that key. Killed on dispose.
/// </summary>
public sealed class TestMemoryNode : IAsyncDisposable
{
    private readonly MemoryNodeProcess _process;
    private readonly string _keyFile;

    private TestMemoryNode(MemoryNodeProcess process, string keyFile, ClusterKey key)
    {
        _process = process;
        _keyFile = keyFile;
        Key = key;
    }

    public IPEndPoint Address => _process.Address;

    public ClusterKey Key { get; }

    public int ProcessId => _process.ProcessId;

    public bool HasExited => _process.HasExited;

    public string StandardError => _process.StandardError;

    /// <summary>Starts a node with a 1 MiB region 0.</summary>
    public static Task<TestMemoryNode> StartAsync(params string[] extraArguments) =>
        StartAsync(1 << 20, extraArguments);

    public static async Task<TestMemoryNode> StartAsync(long regionBytes, params string[] extraArguments)
    {
        var secret = ClusterKey.GenerateSecret();
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-test-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, secret);
        try
        {
            var process = await MemoryNodeProcess.StartAsync(regionBytes, keyFile, extraArguments: extraArguments);
            return new TestMemoryNode(process, keyFile, ClusterKey.FromSecret(secret));
        }
        catch
        {
            File.Delete(keyFile);
            throw;
        }
    }

    /// <summary>Runs grid-memnode to completion (for --help and argument errors).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        MemoryNodeProcess.RunAsync(arguments);

    public async Task<QueuePair> ConnectAsync(NodeId local, TcpTransportOptions? options = null) =>
        await TcpQueuePair.ConnectAsync(Address, local, Key, options).ConfigureAwait(false);

    public void Signal(string signal) => _process.Signal(signal);

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        File.Delete(_keyFile);
    }
}
