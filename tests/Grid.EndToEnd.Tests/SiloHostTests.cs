using Grid.Persistence.Swarm;
using Grid.Replication.Swarm;
using Grid.Testing.Processes;

namespace Grid.EndToEnd.Tests;

/// <summary>grid-silo as a user starts it: help, bad arguments, the embedded default, TCP memory nodes.</summary>
public sealed class SiloHostTests
{
    private static readonly HttpClient Http = new(new HttpClientHandler { AllowAutoRedirect = false });

    [Fact]
    public async Task Help_lists_every_option()
    {
        var (exit, output, _) = await ChildProcess.RunAsync(RepositoryPaths.GridSilo, ["--help"], TimeSpan.FromSeconds(60));
        Assert.Equal(0, exit);
        foreach (var option in new[] { "--memory-nodes", "--cluster-key-file", "--writer-id", "--primary", "--redis", "--http-url", "--fast-failover" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--bogus", "x", "unknown option --bogus")]
    [InlineData("--writer-id", "-1", "WriterId is -1")]
    [InlineData("--writer-id", "17", "WriterId is 17")]
    [InlineData("--clustering", "zookeeper", "use localhost or redis")]
    [InlineData("--memory-nodes", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", "cluster key")]
    [InlineData("--memory-nodes", "nowhere", "not host:port")]
    public async Task Bad_arguments_exit_2_with_a_message(string option, string value, string expected)
    {
        var (exit, _, error) = await ChildProcess.RunAsync(RepositoryPaths.GridSilo, [option, value], TimeSpan.FromSeconds(60));
        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_default_serves_health_and_the_dashboard()
    {
        var started = DateTimeOffset.UtcNow;
        await using var silo = await SiloProcess.StartAsync([]);
        var health = await silo.HealthAsync();
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(3, health.GetProperty("memoryNodes").GetArrayLength());
        Assert.Equal(1, health.GetProperty("writerId").GetInt32());
        Assert.Equal("leased", health.GetProperty("writerIdSource").GetString());
        var leaseExpires = DateTimeOffset.Parse(health.GetProperty("writerLeaseExpires").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        // Leased or renewed after the process started, for 30 s (whole seconds): bounds that hold however slow the machine.
        Assert.InRange(leaseExpires, started.AddSeconds(29), DateTimeOffset.UtcNow.AddSeconds(31));
        Assert.StartsWith("embedded:", health.GetProperty("memoryNodes")[0].GetProperty("name").GetString(), StringComparison.Ordinal);

        // A fresh cluster's timestamp frame starts with its first client: refreshed minutes ago at most.
        Assert.StartsWith("0m ", health.GetProperty("timestampRefresh").GetString(), StringComparison.Ordinal);

        using var redirect = await Http.GetAsync(new Uri($"{silo.BaseUrl}/dashboard"));
        Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, redirect.StatusCode);
        var page = await Http.GetStringAsync(new Uri($"{silo.BaseUrl}/dashboard/"));
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("embedded in-process memory nodes", silo.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_one_of_three_memory_nodes_down_the_silo_starts_degraded()
    {
        var regionBytes = SwarmKvStore.RegionBytesFor(SwarmGrainStorageOptions.DefaultLayout());
        await using var cluster = await MemoryNodeCluster.StartAsync(3, regionBytes);
        // A first silo with every node up forms the cluster's membership record.
        await using (var first = await SiloProcess.StartAsync(cluster.SiloArguments(writerId: 1)))
        {
            Assert.Equal("healthy", (await first.HealthAsync()).GetProperty("status").GetString());
        }

        cluster.Nodes[2].Kill();

        await using var silo = await SiloProcess.StartAsync(cluster.SiloArguments(writerId: 1));
        var health = await silo.HealthAsync();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        var nodes = health.GetProperty("memoryNodes").EnumerateArray().ToList();
        Assert.Equal(2, nodes.Count(n => n.GetProperty("reachable").GetBoolean()));
        Assert.Equal("reconnecting", nodes[2].GetProperty("connection").GetString());
        Assert.Contains($"{cluster.Addresses[2]} reconnecting (attempt ", health.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_cluster_with_a_memory_node_down_does_not_start()
    {
        var regionBytes = SwarmKvStore.RegionBytesFor(SwarmGrainStorageOptions.DefaultLayout());
        await using var cluster = await MemoryNodeCluster.StartAsync(3, regionBytes);
        cluster.Nodes[2].Kill();

        // Two empty nodes could as well be two that restarted empty while the third holds the data.
        var (exit, output, error) = await ChildProcess.RunAsync(
            RepositoryPaths.GridSilo, cluster.SiloArguments(writerId: 1), TimeSpan.FromSeconds(120));

        Assert.NotEqual(0, exit);
        Assert.Contains("a record is written only when all the cluster's nodes answer", output + error, StringComparison.Ordinal);
    }
}
