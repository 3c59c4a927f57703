using System.Collections.Concurrent;
using System.Globalization;
using Grid.Client;
using Grid.Persistence.Swarm;
using Grid.Replication.Swarm;
using Grid.Testing.Processes;

namespace Grid.EndToEnd.Tests;

/// <summary>
/// The grid as separate processes on loopback: 3 grid-memnode, 2 grid-silo and the grid CLI
/// importing keys. One memory node and one silo are SIGKILLed during the import; afterwards
/// every write the CLI acknowledged ("ok KEY VERSION") must read back with its value.
/// </summary>
public sealed class KillDuringWritesTests(ITestOutputHelper output)
{
    private const int Keys = 600;
    private const int KillMemoryNodeAfter = 150;
    private const int KillSiloAfter = 300;

    [Fact]
    public async Task Killing_a_memory_node_and_a_silo_during_writes_loses_no_acknowledged_write()
    {
        var regionBytes = SwarmKvStore.RegionBytesFor(SwarmGrainStorageOptions.DefaultLayout());
        await using var memoryNodes = await MemoryNodeCluster.StartAsync(3, regionBytes);
        // Both silos lease their writer ids (--writer-id 0): the same arguments, distinct ids.
        await using var primary = await SiloProcess.StartAsync(memoryNodes.SiloArguments(writerId: 0));
        await using var secondary = await SiloProcess.StartAsync(memoryNodes.SiloArguments(writerId: 0), primary.SiloPort);
        await WaitForActiveSilosAsync(primary.Gateway, 2);
        var writerIds = new[] { await WriterIdAsync(primary), await WriterIdAsync(secondary) };
        Assert.Equal([1, 2], writerIds.Order());

        var run = $"e2e-{Guid.NewGuid():N}"[..12];
        string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"{run}:{i:D4}");
        string Value(int i) => string.Create(CultureInfo.InvariantCulture, $"value-{i}-{run}");

        await using var import = ChildProcess.Start(RepositoryPaths.GridCli,
            ["kv", "import", "--gateway", primary.Gateway, "--gateway", secondary.Gateway, "--key-timeout", "90", "--connect-timeout", "60"]);
        var acknowledged = new ConcurrentDictionary<string, long>();
        var reading = Task.Run(async () =>
        {
            await foreach (var line in import.Lines.ReadAllAsync())
            {
                var parts = line.Split(' ');
                if (parts is ["ok", var key, var version])
                {
                    acknowledged[key] = long.Parse(version, CultureInfo.InvariantCulture);
                }
            }
        });

        var memoryNodeKilled = false;
        var siloKilled = false;
        for (var i = 0; i < Keys; i++)
        {
            await import.Input.WriteLineAsync($"{Key(i)}\t{Value(i)}");
            await import.Input.FlushAsync();
            if (i == KillMemoryNodeAfter + 20)
            {
                await WaitForAcknowledgedAsync(acknowledged, KillMemoryNodeAfter, import);
                memoryNodes.Nodes[1].Kill();
                memoryNodeKilled = true;
                output.WriteLine($"killed memory node 1 after {acknowledged.Count} acknowledged writes");
            }
            else if (i == KillSiloAfter + 20)
            {
                await WaitForAcknowledgedAsync(acknowledged, KillSiloAfter, import);
                secondary.Kill();
                siloKilled = true;
                output.WriteLine($"killed the second silo after {acknowledged.Count} acknowledged writes");
            }
        }

        import.Input.Close();
        var exitCode = await import.WaitForExitAsync(TimeSpan.FromMinutes(4));
        await reading;
        output.WriteLine($"import exited {exitCode}; {acknowledged.Count} of {Keys} writes acknowledged");
        Assert.True(memoryNodeKilled && siloKilled);

        // Every acknowledged write reads back, through the surviving silo.
        await using var client = await GridClient.ConnectAsync(Patient(GridClientOptions.ForGateways(primary.Gateway)));
        var lost = new List<string>();
        for (var i = 0; i < Keys; i++)
        {
            if (!acknowledged.TryGetValue(Key(i), out var version))
            {
                continue;
            }

            var entry = await client.Kv.GetAsync(Key(i));
            if (!entry.Exists || System.Text.Encoding.UTF8.GetString(entry.Value!) != Value(i) || entry.Version < version)
            {
                lost.Add($"{Key(i)} (acknowledged version {version}, read {(entry.Exists ? $"version {entry.Version}" : "nothing")})");
            }
        }

        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes lost: {string.Join(", ", lost.Take(20))}");
        // The import retries each key across the failover, so every write is acknowledged in the end.
        Assert.True(exitCode == 0, $"grid kv import exited {exitCode}: {import.StandardError}");
        Assert.Equal(Keys, acknowledged.Count);

        // The CLI reads them back too.
        var (getExit, got, _) = await ChildProcess.RunAsync(RepositoryPaths.GridCli,
            ["kv", "get", Key(Keys - 1), "--gateway", primary.Gateway, "--connect-timeout", "60"], TimeSpan.FromMinutes(2));
        Assert.Equal(0, getExit);
        Assert.Equal(Value(Keys - 1), got.Trim());
    }

    private static async Task WaitForAcknowledgedAsync(ConcurrentDictionary<string, long> acknowledged, int count, ChildProcess import)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (acknowledged.Count < count)
        {
            Assert.False(import.HasExited, $"grid kv import exited early: {import.StandardError}");
            Assert.True(DateTime.UtcNow < deadline, $"only {acknowledged.Count} of {count} writes acknowledged: {import.StandardError}");
            await Task.Delay(20);
        }
    }

    // A loaded CI machine (all test assemblies at once on 2 cores) can take longer than the
    // default 10 s to start a client.
    private static GridClientOptions Patient(GridClientOptions options)
    {
        options.ConnectTimeout = TimeSpan.FromSeconds(60);
        return options;
    }

    private static async Task WaitForActiveSilosAsync(string gateway, int count)
    {
        await using var client = await GridClient.ConnectAsync(Patient(GridClientOptions.ForGateways(gateway)));
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await client.Status.SilosAsync(onlyActive: true)).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} silos did not become active");
            await Task.Delay(250);
        }
    }

    private static async Task<int> WriterIdAsync(SiloProcess silo)
    {
        var health = await silo.HealthAsync();
        Assert.Equal("leased", health.GetProperty("writerIdSource").GetString());
        return health.GetProperty("writerId").GetInt32();
    }
}
