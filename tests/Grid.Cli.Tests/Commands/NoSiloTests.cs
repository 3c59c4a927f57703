using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary>Every client command exits 3 with a clear line when no silo answers.</summary>
public sealed class NoSiloTests
{
    [Theory]
    [InlineData("kv", "get", "k")]
    [InlineData("kv", "put", "k", "v")]
    [InlineData("kv", "delete", "k")]
    [InlineData("account", "open", "alice")]
    [InlineData("account", "deposit", "alice", "100")]
    [InlineData("account", "transfer", "alice", "bob", "100")]
    [InlineData("account", "balance", "alice")]
    [InlineData("account", "history", "alice")]
    [InlineData("orders", "submit", "X", "buy", "10", "--price", "5")]
    [InlineData("orders", "cancel", "X", "1")]
    [InlineData("orders", "replace", "X", "1", "--qty", "5")]
    [InlineData("orders", "book", "X")]
    [InlineData("orders", "trades", "X")]
    [InlineData("status")]
    public async Task No_silo_at_the_gateway_exits_3(params string[] args)
    {
        var port = FreePorts.Next();

        var run = await Cli.RunAsync([.. args, "--gateway", $"127.0.0.1:{port}", "--connect-timeout", "0.5"]);

        Assert.True(run.ExitCode == ExitCodes.Unavailable, run.ToString());
        Assert.Contains(
            $"no silo answered at 127.0.0.1:{port} (static gateways, service grid, cluster grid): is grid-silo running?",
            run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task The_message_names_the_service_and_cluster_asked_for()
    {
        var port = FreePorts.Next();

        var run = await Cli.RunAsync(
            "status", "--gateway", $"localhost:{port}", "--service-id", "svc", "--cluster-id", "blue",
            "--connect-timeout", "0.5");

        Assert.True(run.ExitCode == ExitCodes.Unavailable, run.ToString());
        Assert.Contains($"localhost:{port} (static gateways, service svc, cluster blue)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_that_cannot_connect_at_all_exits_3_and_acknowledges_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"grid-import-{Guid.NewGuid():N}.tsv");
        await File.WriteAllTextAsync(file, "a\t1\nb\t2\n", TestContext.Current.CancellationToken);
        try
        {
            var run = await Cli.RunAsync(
                "kv", "import", file, "--gateway", $"127.0.0.1:{FreePorts.Next()}", "--connect-timeout", "0.5");

            Assert.True(run.ExitCode == ExitCodes.Unavailable, run.ToString());
            Assert.Equal("", run.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
