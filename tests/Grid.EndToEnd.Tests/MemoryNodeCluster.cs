using System.Globalization;
using Grid.RdmaTransport.Tcp;
using Grid.Testing.Processes;

namespace Grid.EndToEnd.Tests;

/// <summary>
/// 2f+1 grid-memnode processes on loopback sharing a fresh cluster key file. With a data
/// directory each node keeps its regions in <c>--data DIR/nodeI.data</c>, and a node can be
/// SIGKILLed and started again on the same address, with its file or without it.
/// </summary>
internal sealed class MemoryNodeCluster : IAsyncDisposable
{
    private const string ListeningPrefix = "listening on ";

    private readonly List<ChildProcess> _nodes;
    private readonly long _regionBytes;
    private readonly string? _dataDirectory;

    private MemoryNodeCluster(
        string keyFile, List<ChildProcess> nodes, IReadOnlyList<string> addresses, long regionBytes, string? dataDirectory)
    {
        KeyFile = keyFile;
        _nodes = nodes;
        Addresses = addresses;
        _regionBytes = regionBytes;
        _dataDirectory = dataDirectory;
    }

    public string KeyFile { get; }

    /// <summary>The node processes, the current one for each index (a restart replaces it).</summary>
    public IReadOnlyList<ChildProcess> Nodes => _nodes;

    public IReadOnlyList<string> Addresses { get; }

    /// <param name="dataDirectory">
    /// Null: volatile nodes. Otherwise a directory (created if missing, deleted on dispose) for
    /// the nodes' data files.
    /// </param>
    public static async Task<MemoryNodeCluster> StartAsync(int count, long regionBytes, string? dataDirectory = null)
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-e2e-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, ClusterKey.GenerateSecret());
        if (dataDirectory is not null)
        {
            Directory.CreateDirectory(dataDirectory);
        }

        var nodes = new List<ChildProcess>();
        var addresses = new List<string>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var (node, address) = await StartNodeAsync(i, "127.0.0.1:0", regionBytes, keyFile, dataDirectory);
                nodes.Add(node);
                addresses.Add(address);
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }

        return new MemoryNodeCluster(keyFile, nodes, addresses, regionBytes, dataDirectory);
    }

    /// <summary>grid-silo arguments that point a silo at these nodes.</summary>
    public string[] SiloArguments(int writerId) =>
    [
        "--memory-nodes", string.Join(',', Addresses),
        "--cluster-key-file", KeyFile,
        "--writer-id", writerId.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The data file of node <paramref name="index"/> (a cluster with a data directory).</summary>
    public string DataFile(int index) =>
        Path.Combine(_dataDirectory ?? throw new InvalidOperationException("the nodes keep no data files"),
            string.Create(CultureInfo.InvariantCulture, $"node{index}.data"));

    /// <summary>SIGKILLs node <paramref name="index"/> and waits until the process is gone.</summary>
    public async Task KillAsync(int index)
    {
        _nodes[index].Kill();
        await _nodes[index].WaitForExitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Starts node <paramref name="index"/> again (after <see cref="KillAsync"/>) on its address
    /// and, unless <paramref name="deleteData"/>, on its data file; with it the file is deleted
    /// first, so the node comes back empty under a new incarnation.
    /// </summary>
    public async Task RestartAsync(int index, bool deleteData = false)
    {
        if (!_nodes[index].HasExited)
        {
            throw new InvalidOperationException($"memory node {index} is still running");
        }

        if (deleteData)
        {
            File.Delete(DataFile(index));
        }

        await _nodes[index].DisposeAsync();
        var (node, address) = await StartNodeAsync(index, Addresses[index], _regionBytes, KeyFile, _dataDirectory);
        _nodes[index] = node;
        if (address != Addresses[index])
        {
            throw new InvalidOperationException($"memory node {index} came back on {address}, not {Addresses[index]}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        File.Delete(KeyFile);
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static async Task<(ChildProcess Node, string Address)> StartNodeAsync(
        int index, string listen, long regionBytes, string keyFile, string? dataDirectory)
    {
        var arguments = new List<string>
        {
            "--listen", listen,
            "--size", regionBytes.ToString(CultureInfo.InvariantCulture),
            "--cluster-key-file", keyFile,
            "--node-id", (1000 + index).ToString(CultureInfo.InvariantCulture),
        };
        if (dataDirectory is not null)
        {
            arguments.AddRange(["--data", Path.Combine(dataDirectory, string.Create(CultureInfo.InvariantCulture, $"node{index}.data"))]);
        }

        var node = ChildProcess.Start(RepositoryPaths.GridMemoryNode, arguments);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await node.Lines.ReadAsync(timeout.Token);
            while (!line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
            {
                line = await node.Lines.ReadAsync(timeout.Token);
            }

            return (node, line[ListeningPrefix.Length..].Trim());
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            var error = node.StandardError;
            await node.DisposeAsync();
            throw new InvalidOperationException($"grid-memnode {index} did not listen on {listen}: {error}", ex);
        }
    }
}
