using System.Globalization;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Tests.Support;

/// <summary>
/// A place where grid-memnode processes come and go with the same cluster key and data file, so
/// a test can kill a node and start it again as an operator would: a temporary directory with the
/// key file and room for data files. Every process it started is killed on dispose.
/// </summary>
public sealed class MemoryNodeHome : IAsyncDisposable
{
    public const long RegionBytes = 1 << 20;

    private readonly List<MemoryNodeProcess> _processes = [];

    public MemoryNodeHome()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("grid-memnode-home-").FullName;
        var secret = ClusterKey.GenerateSecret();
        KeyFile = Path.Combine(Directory, "cluster.key");
        File.WriteAllText(KeyFile, secret);
        Key = ClusterKey.FromSecret(secret);
    }

    public string Directory { get; }

    public string KeyFile { get; }

    public ClusterKey Key { get; }

    public string DataPath => Path.Combine(Directory, "node.data");

    /// <summary>Starts a node with a region 0 of <see cref="RegionBytes"/> and waits until it listens.</summary>
    public async Task<MemoryNodeProcess> StartAsync(params string[] arguments)
    {
        var process = await MemoryNodeProcess.StartAsync(RegionBytes, KeyFile, extraArguments: arguments);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs a node that is expected to refuse to start; the key and a free port are added.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        MemoryNodeProcess.RunAsync(["--listen", "127.0.0.1:0", "--cluster-key-file", KeyFile, .. arguments]);

    public static string[] Size(long bytes) => ["--size", bytes.ToString(CultureInfo.InvariantCulture)];

    public async Task<TcpQueuePair> ConnectAsync(MemoryNodeProcess node, NodeId local) =>
        await TcpQueuePair.ConnectAsync(node.Address, local, Key);

    /// <summary>Waits for a line of the node's log (it is written asynchronously, after startup).</summary>
    public static async Task<string> WaitForLogAsync(MemoryNodeProcess node, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!node.StandardError.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"grid-memnode never logged '{text}'; its log:\n{node.StandardError}");
            }

            await Task.Delay(50);
        }

        return node.StandardError;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
