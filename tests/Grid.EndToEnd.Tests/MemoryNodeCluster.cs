using System.Globalization;
using Grid.RdmaTransport.Tcp;
using Grid.Testing.Processes;

namespace Grid.EndToEnd.Tests;

/// <summary>2f+1 grid-memnode processes on loopback sharing a fresh cluster key file.</summary>
internal sealed class MemoryNodeCluster : IAsyncDisposable
{
    private const string ListeningPrefix = "listening on ";

    private MemoryNodeCluster(string keyFile, IReadOnlyList<ChildProcess> nodes, IReadOnlyList<string> addresses)
    {
        KeyFile = keyFile;
        Nodes = nodes;
        Addresses = addresses;
    }

    public string KeyFile { get; }

    public IReadOnlyList<ChildProcess> Nodes { get; }

    public IReadOnlyList<string> Addresses { get; }

    public static async Task<MemoryNodeCluster> StartAsync(int count, long regionBytes)
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-e2e-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, ClusterKey.GenerateSecret());
        var nodes = new List<ChildProcess>();
        var addresses = new List<string>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var node = ChildProcess.Start(RepositoryPaths.GridMemoryNode,
                [
                    "--listen", "127.0.0.1:0",
                    "--size", regionBytes.ToString(CultureInfo.InvariantCulture),
                    "--cluster-key-file", keyFile,
                    "--node-id", (1000 + i).ToString(CultureInfo.InvariantCulture),
                ]);
                nodes.Add(node);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var line = await node.Lines.ReadAsync(timeout.Token);
                while (!line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
                {
                    line = await node.Lines.ReadAsync(timeout.Token);
                }

                addresses.Add(line[ListeningPrefix.Length..].Trim());
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

        return new MemoryNodeCluster(keyFile, nodes, addresses);
    }

    /// <summary>grid-silo arguments that point a silo at these nodes.</summary>
    public string[] SiloArguments(int writerId) =>
    [
        "--memory-nodes", string.Join(',', Addresses),
        "--cluster-key-file", KeyFile,
        "--writer-id", writerId.ToString(CultureInfo.InvariantCulture),
    ];

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        File.Delete(KeyFile);
    }
}
