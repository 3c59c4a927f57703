using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Grid.Persistence.Swarm;
using Grid.Replication.Swarm;
using Grid.Testing.Processes;

namespace Grid.EndToEnd.Tests;

/// <summary>
/// Redis membership, the multi-host setup: two grid-silo processes and the grid CLI find each
/// other through a local redis-server (Debian package; CI installs it). Skipped without it.
/// </summary>
public sealed class RedisClusteringTests
{
    [Fact]
    public async Task Silos_and_the_cli_meet_through_redis_membership()
    {
        var redisServer = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (redisServer is null)
        {
            Assert.Skip("redis-server is not installed (apt-get install redis-server)");
        }

        var port = FreePorts.Take(1)[0];
        using var redis = Process.Start(new ProcessStartInfo(redisServer)
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            await WaitForPortAsync(port);
            var redisAddress = $"127.0.0.1:{port}";
            var clusterId = $"e2e-{Guid.NewGuid():N}"[..12];
            string[] Clustering(int writerId, MemoryNodeCluster nodes) =>
                [.. nodes.SiloArguments(writerId), "--clustering", "redis", "--redis", redisAddress, "--cluster-id", clusterId];

            var regionBytes = SwarmKvStore.RegionBytesFor(SwarmGrainStorageOptions.DefaultLayout());
            await using var memoryNodes = await MemoryNodeCluster.StartAsync(3, regionBytes);
            await using var first = await SiloProcess.StartAsync(Clustering(1, memoryNodes));
            await using var second = await SiloProcess.StartAsync(Clustering(2, memoryNodes));
            string[] Connect = ["--redis", redisAddress, "--cluster-id", clusterId, "--connect-timeout", "60"];

            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (true)
            {
                var (exit, output, error) = await ChildProcess.RunAsync(RepositoryPaths.GridCli,
                    ["status", "--json", "--health-url", $"{first.BaseUrl}/health", .. Connect], TimeSpan.FromMinutes(2));
                Assert.True(exit == 0, $"grid status exited {exit}: {error}");
                if (CountOf("\"Active\"", output) >= 2)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"two active silos never showed: {output}");
                await Task.Delay(500);
            }

            var put = await ChildProcess.RunAsync(RepositoryPaths.GridCli, ["kv", "put", "through-redis", "yes", .. Connect], TimeSpan.FromMinutes(2));
            Assert.True(put.ExitCode == 0, put.Error);
            var get = await ChildProcess.RunAsync(RepositoryPaths.GridCli, ["kv", "get", "through-redis", .. Connect], TimeSpan.FromMinutes(2));
            Assert.Equal(0, get.ExitCode);
            Assert.Equal("yes", get.Output.Trim());
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync();
        }
    }

    private static int CountOf(string needle, string text)
    {
        var count = 0;
        for (var at = text.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = text.IndexOf(needle, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
