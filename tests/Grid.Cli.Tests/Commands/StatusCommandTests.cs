using System.Text.Json;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary><c>grid status</c> against a real in-process silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class StatusCommandTests(SiloFixture fixture)
{
    private const string HealthBody =
        """{"status":"Healthy","memory_nodes":[{"address":"127.0.0.1:7101","state":"up"}]}""";

    [Fact]
    public async Task Shows_the_silo_and_says_when_the_health_endpoint_is_not_there()
    {
        var deadHealth = $"http://127.0.0.1:{FreePorts.Next()}/health";

        var run = await Cli.RunAsync("status", "--gateway", fixture.Silo.Gateway, "--health-url", deadHealth);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("test-silo-1", run.Output, StringComparison.Ordinal);
        Assert.Contains("test-silo-2", run.Output, StringComparison.Ordinal);
        Assert.Contains("Active", run.Output, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{fixture.Silo.SiloPort}@", run.Output, StringComparison.Ordinal);
        Assert.Contains($"health {deadHealth}: skipped (", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Json_has_the_silos_and_the_health_document_as_served()
    {
        await using var health = new HealthServer(HealthBody);

        var run = await Cli.RunAsync("status", "--gateway", fixture.Silo.Gateway, "--health-url", health.Url, "--json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var silos = json.RootElement.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(["test-silo-1", "test-silo-2"], silos.Select(s => s.GetProperty("name").GetString()).Order());
        var silo = Assert.Single(silos, s => s.GetProperty("name").GetString() == "test-silo-1");
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.Equal(fixture.Silo.GatewayPort, silo.GetProperty("gateway_port").GetInt32());
        Assert.StartsWith($"127.0.0.1:{fixture.Silo.SiloPort}@", silo.GetProperty("address").GetString(), StringComparison.Ordinal);
        var memoryNode = json.RootElement.GetProperty("health").GetProperty("memory_nodes")[0];
        Assert.Equal("127.0.0.1:7101", memoryNode.GetProperty("address").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("health_error").ValueKind);
    }

    [Fact]
    public async Task Memory_nodes_are_listed_with_their_connection()
    {
        await using var health = new HealthServer("""
            {"status":"degraded","memoryNodes":[
              {"name":"127.0.0.1:7101","state":"ready","reachable":true,"connection":"connected","attempts":0,"reconnects":2,"detail":null},
              {"name":"127.0.0.1:7102","state":"closed","reachable":false,"connection":"reconnecting","attempts":4,"reconnects":0,"detail":"cannot connect"},
              {"name":"127.0.0.1:7103","state":"closed","reachable":false,"connection":"needs-rebuild","attempts":0,"reconnects":1,"detail":"new incarnation"},
              {"name":"old-silo","state":"ready","reachable":true}]}
            """);

        var run = await Cli.RunAsync("status", "--gateway", fixture.Silo.Gateway, "--health-url", health.Url);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var lines = run.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("memory node", StringComparison.Ordinal) && l.Contains("connection", StringComparison.Ordinal));
        Assert.Contains(lines, l => Row(l, "127.0.0.1:7101", "connected", "0", "2"));
        Assert.Contains(lines, l => Row(l, "127.0.0.1:7102", "reconnecting", "4", "0", "cannot connect"));
        Assert.Contains(lines, l => Row(l, "127.0.0.1:7103", "needs-rebuild", "0", "1", "new incarnation"));
        // An older silo's entry without the connection fields shows its queue-pair state.
        Assert.Contains(lines, l => Row(l, "old-silo", "ready"));
    }

    private static bool Row(string line, params string[] cells)
    {
        var parts = line.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= cells.Length && cells.Select((c, i) => parts[i] == c).All(x => x);
    }

    [Fact]
    public async Task An_unhealthy_answer_is_shown_with_its_http_status()
    {
        await using var health = new HealthServer("""{"status":"Unhealthy","memory_nodes":[]}""", statusCode: 503);

        var run = await Cli.RunAsync("status", "--gateway", fixture.Silo.Gateway, "--health-url", health.Url);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains($"health {health.Url} (HTTP 503):", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"Unhealthy\"", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_health_endpoint_that_is_not_json_is_skipped_with_an_excerpt()
    {
        await using var health = new HealthServer("<html>oops</html>");

        var run = await Cli.RunAsync("status", "--gateway", fixture.Silo.Gateway, "--health-url", health.Url, "--json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("health").ValueKind);
        Assert.Contains("not JSON: <html>oops</html>", json.RootElement.GetProperty("health_error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_gateway_before_a_live_one_still_connects()
    {
        var run = await Cli.RunAsync(
            "status", "--gateway", $"127.0.0.1:{FreePorts.Next()}", "--gateway", fixture.Silo.Gateway,
            "--health-url", $"http://127.0.0.1:{FreePorts.Next()}/health");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("test-silo-1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_silo_joins_and_both_are_listed()
    {
        // A cluster of its own, so that the shared silo's membership keeps exactly one silo.
        await using var first = await LocalSilo.StartAsync("pair-silo-1");
        await using var second = await LocalSilo.StartAsync("pair-silo-2", first);

        var run = await Cli.RunAsync(
            "status", "--gateway", second.Gateway, "--json", "--health-url", $"http://127.0.0.1:{FreePorts.Next()}/health");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var names = json.RootElement.GetProperty("silos").EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "Active")
            .Select(s => s.GetProperty("name").GetString()!).Order().ToArray();
        Assert.Equal(["pair-silo-1", "pair-silo-2"], names);
    }
}
