using System.Globalization;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;

namespace Grid.Cli.Bench;

/// <summary>
/// <c>grid-memnode</c> processes on loopback started for one system's run, with a cluster key
/// of their own in a temporary file; all killed and the key file deleted on dispose.
/// </summary>
internal sealed class LocalMemoryNodeProcesses : MemoryNodeSet
{
    private const uint FirstNodeId = 1000;

    private readonly MemoryNodeProcess[] _nodes;
    private readonly string _keyFile;
    private readonly ClusterKey _key;

    private LocalMemoryNodeProcesses(MemoryNodeProcess[] nodes, string keyFile, ClusterKey key)
    {
        _nodes = nodes;
        _keyFile = keyFile;
        _key = key;
    }

    public override int Count => _nodes.Length;

    public override bool CanCrash => true;

    /// <summary><c>host:port</c> of each node, in node order.</summary>
    public IReadOnlyList<string> Addresses => [.. _nodes.Select(n => n.Address.ToString())];

    /// <summary>The temporary file holding the nodes' cluster key (deleted on dispose).</summary>
    public string KeyFile => _keyFile;

    public static async Task<LocalMemoryNodeProcesses> StartAsync(
        int count, long regionBytes, CancellationToken cancellationToken)
    {
        var secret = ClusterKey.GenerateSecret();
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-bench-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, secret, cancellationToken).ConfigureAwait(false);
        var starts = Enumerable.Range(0, count)
            .Select(node => MemoryNodeProcess.StartAsync(
                regionBytes, keyFile, FirstNodeId + (uint)node, ["--log-level", "Warning", "--clock-skew", ClockSkew.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)],
                cancellationToken: cancellationToken))
            .ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync().ConfigureAwait(false);
            }

            File.Delete(keyFile);
            throw;
        }

        return new LocalMemoryNodeProcesses(
            [.. starts.Select(s => s.Result)], keyFile, ClusterKey.FromSecret(secret));
    }

    public override async Task<QueuePair> ConnectAsync(
        int node, NodeId client, CancellationToken cancellationToken) =>
        await TcpQueuePair.ConnectAsync(
            _nodes[node].Address, client, _key, cancellationToken: cancellationToken).ConfigureAwait(false);

    public override void Crash(int node) => _nodes[node].Kill();

    /// <summary>
    /// Kills every node and deletes the key file now, synchronously (Ctrl+C, SIGTERM: the
    /// process may be gone before any await returns). Dispose still reaps them.
    /// </summary>
    public void KillAll()
    {
        foreach (var node in _nodes)
        {
            try
            {
                node.Kill();
            }
            catch (InvalidOperationException)
            {
                // It exited in between.
            }
        }

        try
        {
            File.Delete(_keyFile);
        }
        catch (IOException)
        {
            // Best effort; DisposeAsync tries again.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        File.Delete(_keyFile);
    }
}
