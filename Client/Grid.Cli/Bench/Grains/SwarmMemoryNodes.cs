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

    private readonly LocalMemoryNodeProcesses? _local;

    private SwarmMemoryNodes(IReadOnlyList<string> addresses, string keyFile, LocalMemoryNodeProcesses? local)
    {
        Addresses = addresses;
        KeyFile = keyFile;
        _local = local;
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
        new(addresses, keyFile, local: null);

    public static async Task<SwarmMemoryNodes> StartAsync(CancellationToken cancellationToken)
    {
        var local = await LocalMemoryNodeProcesses.StartAsync(Count, RegionBytes, cancellationToken).ConfigureAwait(false);
        return new SwarmMemoryNodes(local.Addresses, local.KeyFile, local);
    }

    /// <summary>Kills the nodes started here and deletes their key file now, synchronously.</summary>
    public void Kill() => _local?.KillAll();

    public ValueTask DisposeAsync() => _local?.DisposeAsync() ?? ValueTask.CompletedTask;
}
