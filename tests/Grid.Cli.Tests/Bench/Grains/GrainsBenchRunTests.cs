using System.Text.Json;
using Grid.Cli.Bench.Grains;
using Grid.Cli.Commands;

namespace Grid.Cli.Tests.Bench.Grains;

/// <summary>
/// One small real run of <c>grid bench grains</c>: a silo and client in this process, three
/// grid-memnode processes, and redis-server when this machine has it. Checks what the run
/// reports, never how fast it was.
/// </summary>
public sealed class GrainsBenchRunTests
{
    [Fact]
    public async Task A_small_run_reports_every_provider_and_op_without_errors()
    {
        var withRedis = RedisServerProcess.Find() is not null;
        string[] systems = withRedis
            ? [GrainsBench.Swarm, GrainsBench.Memory, GrainsBench.Redis]
            : [GrainsBench.Swarm, GrainsBench.Memory];
        var path = Path.Combine(Path.GetTempPath(), $"grid-bench-grains-{Guid.NewGuid():N}.json");
        try
        {
            var exitCode = await GridCommand.InvokeAsync(
            [
                "bench", "grains", "--ops", "200", "--rounds", "2", "--concurrency", "2", "--value-size", "100",
                .. systems.SelectMany(s => (string[])["--provider", s]),
                "--json", path,
            ]);

            Assert.Equal(ExitCodes.Success, exitCode);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
            var root = json.RootElement;
            Assert.Equal(GrainsBench.Name, root.GetProperty("bench").GetString());
            var rows = root.GetProperty("results").EnumerateArray()
                .ToDictionary(r => (r.GetProperty("system").GetString()!, r.GetProperty("op").GetString()!));
            Assert.Equal(systems.Length * GrainsBench.Ops.Count, rows.Count);
            foreach (var system in systems)
            {
                foreach (var op in GrainsBench.Ops)
                {
                    var row = rows[(system, op)];
                    Assert.Equal(0, row.GetProperty("errors").GetInt64());
                    Assert.Equal(200, row.GetProperty("count").GetInt64());
                    Assert.Equal(2, row.GetProperty("outstanding").GetInt32());
                    Assert.True(row.GetProperty("p50_us").GetDouble() > 0, $"{system} {op} p50");
                    Assert.True(row.GetProperty("ops_per_s").GetDouble() > 0, $"{system} {op} ops/s");
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
