using System.Text.Json;
using Grid.Cli.Bench;
using Grid.Cli.Commands;
using Spectre.Console;

namespace Grid.Cli.Tests.Bench;

[Collection(CrashBenchCollection.Name)]
public sealed class SwarmBenchTests
{
    [Theory]
    [InlineData("inproc")]
    [InlineData("tcp")]
    public async Task All_four_systems_run_and_a_crash_loses_no_write_acknowledged_by_a_protocol(string fabric)
    {
        var settings = BenchSwarmCommand.ReadSettings(
            fabric, memoryNodes: 3, clients: 3, keys: 200, valueSize: 16, workload: "a", ops: 1_500,
            crashAt: 0.2, addresses: null, keyFile: null);

        var outcome = await SwarmBench.RunAsync(settings, SilentConsole(), TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                "raw get", "raw update", "raw-replicated get", "raw-replicated update",
                "dm-abd get", "dm-abd update", "swarm get", "swarm update",
            ],
            outcome.Results.Select(r => $"{r.System} {r.Op}"));
        Assert.All(outcome.Results, r => Assert.Equal(3, r.Outstanding));
        // RAW is not crashed, so it runs exactly --ops; every client's cache was warmed, so
        // each of its ops is exactly one roundtrip.
        Assert.Equal(1_500, outcome.Results.Where(r => r.System == "raw").Sum(r => r.Count + r.Errors));
        // raw-replicated is: one roundtrip to all three nodes per op, done at two of them, so
        // the crash of one fails no op and costs no extra roundtrip either.
        Assert.All(outcome.Results.Where(r => r.System is "raw" or "raw-replicated"), r =>
        {
            Assert.True(r.Count > 0);
            Assert.Equal(0, r.Errors);
            Assert.Equal(1.0, r.Extra!["mean_rtt"]);
            Assert.Equal(1.0, r.Extra["one_rtt_fraction"]);
        });
        // DM-ABD never finishes in one roundtrip.
        Assert.All(outcome.Results.Where(r => r.System == "dm-abd"), r => Assert.True((double)r.Extra!["mean_rtt"] >= 2));

        Assert.Equal(["raw-replicated", "dm-abd", "swarm"], outcome.Systems.Select(s => s.System));
        Assert.All(outcome.Systems, system =>
        {
            var crash = system.Crash!;
            Assert.Equal(0, crash.CheckErrors);
            Assert.Equal(200, crash.CheckedKeys);
            Assert.True(crash.AtMilliseconds >= 200);
            // The phase lasted at least 1 s past the crash: the timeline covers it.
            Assert.True(system.Timeline!.Count * ThroughputTimeline.Window.TotalMilliseconds >= crash.AtMilliseconds + 900);
        });
        // The protocols promise no lost write; raw-replicated promises nothing, so its count is
        // only reported (it is what the check found, whatever it is).
        Assert.All(outcome.Systems.Where(s => s.System != "raw-replicated"), s => Assert.Equal(0, s.Crash!.LostWrites));
        Assert.InRange(outcome.Systems[0].Crash!.LostWrites, 0, 200);
    }

    [Fact]
    public void The_ratio_lines_compare_each_system_with_raw_and_the_protocols_with_raw_replicated()
    {
        BenchResult Row(string system, string op, double p50) => new()
        {
            System = system, Op = op, Outstanding = 1, Count = 1, P50Microseconds = p50,
            P99Microseconds = p50, OpsPerSecond = 1, Errors = 0,
        };
        var results = new[]
        {
            Row("raw", "get", 50), Row("raw", "update", 40),
            Row("raw-replicated", "get", 100), Row("raw-replicated", "update", 80),
            Row("dm-abd", "get", 400), Row("dm-abd", "update", 320),
            Row("swarm", "get", 150), Row("swarm", "update", 100),
        };

        var lines = SwarmBench.DescribeRatios(results);

        Assert.Equal(2, lines.Count);
        Assert.Equal(
            "raw-replicated get p50 / raw = 2.00x; dm-abd get p50 / raw = 8.00x; swarm get p50 / raw = 3.00x; " +
            "raw-replicated update p50 / raw = 2.00x; dm-abd update p50 / raw = 8.00x; swarm update p50 / raw = 2.50x",
            lines[0]);
        Assert.Equal(
            "dm-abd get p50 / raw-replicated = 4.00x; swarm get p50 / raw-replicated = 1.50x; " +
            "dm-abd update p50 / raw-replicated = 4.00x; swarm update p50 / raw-replicated = 1.25x",
            lines[1]);
    }

    [Fact]
    public async Task The_command_on_the_inproc_fabric_writes_raw_replicated_rows_with_one_roundtrip_each()
    {
        var path = Path.Combine(Path.GetTempPath(), $"grid-bench-swarm-{Guid.NewGuid():N}.json");
        try
        {
            var exitCode = await GridCommand.InvokeAsync(
            [
                "bench", "swarm", "--fabric", "inproc", "--clients", "2", "--keys", "100",
                "--value-size", "16", "--workload", "a", "--ops", "400", "--json", path,
            ]);

            Assert.Equal(ExitCodes.Success, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
            var rows = json.RootElement.GetProperty("results").EnumerateArray()
                .Where(r => r.GetProperty("system").GetString() == "raw-replicated")
                .ToList();
            Assert.Equal(["get", "update"], rows.Select(r => r.GetProperty("op").GetString()));
            Assert.All(rows, row =>
            {
                Assert.True(row.GetProperty("count").GetInt64() > 0);
                Assert.Equal(0, row.GetProperty("errors").GetInt64());
                Assert.Equal(1.0, row.GetProperty("mean_rtt").GetDouble());
                Assert.Equal(1.0, row.GetProperty("one_rtt_fraction").GetDouble());
            });
        }
        finally
        {
            File.Delete(path);
        }
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

            Assert.Equal(["raw-replicated", "dm-abd", "swarm"],
                root.GetProperty("systems").EnumerateArray().Select(s => s.GetProperty("system").GetString()));
            var system = root.GetProperty("systems")[2];
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
