using System.Text.Json;
using Grid.Cli.Bench;
using Grid.Cli.Commands;
using Spectre.Console;

namespace Grid.Cli.Tests.Bench;

public sealed class SwarmBenchTests
{
    [Theory]
    [InlineData("inproc")]
    [InlineData("tcp")]
    public async Task All_three_systems_run_and_a_crash_loses_no_acknowledged_write(string fabric)
    {
        var settings = BenchSwarmCommand.ReadSettings(
            fabric, memoryNodes: 3, clients: 3, keys: 200, valueSize: 16, workload: "a", ops: 1_500,
            crashAt: 0.2, addresses: null, keyFile: null);

        var outcome = await SwarmBench.RunAsync(settings, SilentConsole(), TestContext.Current.CancellationToken);

        Assert.Equal(
            ["raw get", "raw update", "dm-abd get", "dm-abd update", "swarm get", "swarm update"],
            outcome.Results.Select(r => $"{r.System} {r.Op}"));
        Assert.All(outcome.Results, r => Assert.Equal(3, r.Outstanding));
        // RAW is not crashed, so it runs exactly --ops; every client's cache was warmed, so
        // each of its ops is exactly one roundtrip.
        Assert.Equal(1_500, outcome.Results.Where(r => r.System == "raw").Sum(r => r.Count + r.Errors));
        Assert.All(outcome.Results.Where(r => r.System == "raw"), r =>
        {
            Assert.Equal(0, r.Errors);
            Assert.Equal(1.0, r.Extra!["mean_rtt"]);
            Assert.Equal(1.0, r.Extra["one_rtt_fraction"]);
        });
        // DM-ABD never finishes in one roundtrip.
        Assert.All(outcome.Results.Where(r => r.System == "dm-abd"), r => Assert.True((double)r.Extra!["mean_rtt"] >= 2));

        Assert.Equal(["dm-abd", "swarm"], outcome.Systems.Select(s => s.System));
        Assert.All(outcome.Systems, system =>
        {
            var crash = system.Crash!;
            Assert.Equal(0, crash.LostWrites);
            Assert.Equal(0, crash.CheckErrors);
            Assert.Equal(200, crash.CheckedKeys);
            Assert.True(crash.AtMilliseconds >= 200);
            // The phase lasted at least 1 s past the crash: the timeline covers it.
            Assert.True(system.Timeline!.Count * ThroughputTimeline.Window.TotalMilliseconds >= crash.AtMilliseconds + 900);
        });
    }

    [Fact]
    public async Task The_json_has_the_rows_with_roundtrips_and_the_crash_per_system()
    {
        var settings = BenchSwarmCommand.ReadSettings(
            "inproc", memoryNodes: 3, clients: 2, keys: 50, valueSize: 8, workload: "b", ops: 500,
            crashAt: 0, addresses: null, keyFile: null);
        var outcome = await SwarmBench.RunAsync(settings, SilentConsole(), TestContext.Current.CancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"grid-bench-swarm-{Guid.NewGuid():N}.json");
        try
        {
            await BenchJson.WriteAsync(path, SwarmBench.Name, outcome.Results, outcome.Systems,
                TestContext.Current.CancellationToken);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
            var root = json.RootElement;
            Assert.Equal("swarm", root.GetProperty("bench").GetString());
            var row = root.GetProperty("results")[0];
            foreach (var name in (string[])["system", "op", "outstanding", "count", "p50_us", "p99_us",
                "ops_per_s", "errors", "mean_rtt", "one_rtt_fraction"])
            {
                Assert.True(row.TryGetProperty(name, out _), $"results[0] lacks {name}");
            }

            var system = root.GetProperty("systems")[1];
            Assert.Equal("swarm", system.GetProperty("system").GetString());
            Assert.Equal(0, system.GetProperty("crash").GetProperty("lost_writes").GetInt64());
            Assert.True(system.GetProperty("crash").TryGetProperty("failed_ops", out _));
            var point = system.GetProperty("timeline")[0];
            Assert.Equal(0, point.GetProperty("t_ms").GetDouble());
            Assert.True(point.GetProperty("ops_per_s").GetDouble() > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("udp", 3, 4, 64, null, null, 1.0, "--fabric")]
    [InlineData("tcp", 2, 4, 64, null, null, null, "--memnodes must be odd")]
    [InlineData("tcp", 3, 64, 64, null, null, null, "--clients")]
    [InlineData("tcp", 3, 4, 4, null, null, null, "--value-size")]
    [InlineData("tcp", 3, 4, 64, "127.0.0.1:7101", null, null, "--memnodes needs 3")]
    [InlineData("tcp", 3, 4, 64, "127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103", null, null, "--cluster-key-file")]
    [InlineData("inproc", 3, 4, 64, "127.0.0.1:7101", null, null, "needs --fabric tcp")]
    [InlineData("tcp", 3, 4, 64, "nonsense", null, null, "is not HOST:PORT")]
    [InlineData("tcp", 3, 4, 64, null, "key.txt", null, "goes with --memnode-addresses")]
    [InlineData("tcp", 3, 4, 64, null, null, -1.0, "--crash-memnode-at")]
    public void Bad_arguments_are_refused_with_the_option_named(
        string fabric, int memoryNodes, int clients, int valueSize, string? addresses, string? keyFile,
        double? crashAt, string expected)
    {
        var error = Assert.ThrowsAny<Exception>(() => BenchSwarmCommand.ReadSettings(
            fabric, memoryNodes, clients, keys: 100, valueSize, "a", ops: 100, crashAt, addresses, keyFile));

        Assert.True(error is ArgumentException or FormatException, error.GetType().Name);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static IAnsiConsole SilentConsole() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
}
