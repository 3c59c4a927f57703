using Grid.Persistence.Swarm;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;
using Grid.Replication.Swarm;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The memory nodes of the <c>swarm</c> provider: <see cref="Count"/> <c>grid-memnode</c>
/// processes on loopback started here with a fresh cluster key in a temporary file (killed and
/// the file deleted on dispose), or the nodes of <c>--memnodes</c> with their key file.
/// </summary>
internal sealed class SwarmMemoryNodes : IAsyncDisposable
{
    /// <summary>2f+1 with f = 1, as grid-silo runs by default.</summary>
    public const int Count = 3;

    private const uint FirstNodeId = 1000;

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<MemoryNodeProcess> _processes;
    private readonly string? _ownKeyFile;

    private SwarmMemoryNodes(
        IReadOnlyList<string> addresses, string keyFile, IReadOnlyList<MemoryNodeProcess> processes, bool ownsKeyFile)
    {
        Addresses = addresses;
        KeyFile = keyFile;
        _processes = processes;
        _ownKeyFile = ownsKeyFile ? keyFile : null;
    }

    /// <summary><c>host:port</c> of each node, in the order every silo must list them.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public string KeyFile { get; }

    /// <summary>Region 0 each node needs: the layout SWARM grain storage uses by default.</summary>
    public static long RegionBytes => SwarmKvStore.RegionBytesFor(SwarmGrainStorageOptions.DefaultLayout());

    /// <summary><see cref="RegionBytes"/> rounded up to whole MiB, for messages and --size.</summary>
    public static long RegionMiB => (RegionBytes + (1 << 20) - 1) >> 20;

    /// <summary>Running nodes given on the command line; nothing to start or stop.</summary>
    public static SwarmMemoryNodes External(IReadOnlyList<string> addresses, string keyFile) =>
        new(addresses, keyFile, [], ownsKeyFile: false);

    public static async Task<SwarmMemoryNodes> StartAsync(CancellationToken cancellationToken)
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-bench-grains-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, ClusterKey.GenerateSecret(), cancellationToken).ConfigureAwait(false);
        var starts = Enumerable.Range(0, Count)
            .Select(node => MemoryNodeProcess.StartAsync(
                RegionBytes, keyFile, FirstNodeId + (uint)node, ["--log-level", "Warning"], cancellationToken))
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

        var processes = starts.Select(s => s.Result).ToList();
        return new SwarmMemoryNodes(
            processes.Select(p => p.Address.ToString()).ToList(), keyFile, processes, ownsKeyFile: true);
    }

    /// <summary>
    /// Kills the nodes started here and deletes their key file now, synchronously (Ctrl+C,
    /// SIGTERM: the process may be gone before any await returns).
    /// </summary>
    public void Kill()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // It exited in between.
            }
        }

        if (_ownKeyFile is not null)
        {
            try
            {
                File.Delete(_ownKeyFile);
            }
            catch (IOException)
            {
                // Best effort; DisposeAsync tries again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Killed through the process API and reaped first: MemoryNodeProcess.DisposeAsync
        // would otherwise run the kill command to continue a stopped node, and a node left
        // running because that failed would outlive the bench.
        Kill();
        foreach (var process in _processes)
        {
            try
            {
                await process.WaitForExitAsync(ExitTimeout).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Not reaped in time; DisposeAsync below tries again.
            }

            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownKeyFile is not null)
        {
            File.Delete(_ownKeyFile);
        }
    }
}
