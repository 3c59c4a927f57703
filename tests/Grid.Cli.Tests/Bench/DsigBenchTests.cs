using System.Text.Json;
using Grid.Cli.Bench;
using Grid.Cli.Bench.Dsig;

namespace Grid.Cli.Tests.Bench;

public sealed class DsigBenchTests
{
    [Fact]
    public async Task Every_system_and_op_runs_per_message_size_and_the_json_has_the_fields()
    {
        var settings = new DsigBenchSettings(BenchPlan.ForMeasuredOps(300, rounds: 2), [8, 1024]);
        IReadOnlyList<BenchResult> results;
        using (var bench = new DsigBench(settings))
        {
            results = bench.Run((_, _) => { }, TestContext.Current.CancellationToken);
        }

        string[] rows =
        [
            "dsig sign", "dsig verify", "dsig verify-slow", "ed25519-nsec sign", "ed25519-nsec verify",
            "ed25519-bouncycastle sign", "ed25519-bouncycastle verify",
        ];
        Assert.Equal([.. rows, .. rows], results.Select(r => $"{r.System} {r.Op}"));
        Assert.All(results, r =>
        {
            Assert.Equal(0, r.Errors);
            Assert.Equal(300, r.Count);
            Assert.True(r.P50Microseconds > 0);
        });
        Assert.Equal([8, 1024], results.Select(r => (int)r.Extra!["message_bytes"]).Distinct());
        Assert.All(results.Where(r => r.System == "dsig"), r => Assert.Equal(1584, r.Extra!["signature_bytes"]));
        Assert.Contains("faster than NSec Ed25519", DsigBench.DescribeRatios(results), StringComparison.Ordinal);

        var path = Path.Combine(Path.GetTempPath(), $"grid-bench-dsig-{Guid.NewGuid():N}.json");
        try
        {
            await BenchJson.WriteAsync(path, DsigBench.Name, results, cancellationToken: TestContext.Current.CancellationToken);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
            Assert.Equal("dsig", json.RootElement.GetProperty("bench").GetString());
            var sign = json.RootElement.GetProperty("results")[0];
            foreach (var name in (string[])["system", "op", "outstanding", "count", "p50_us", "p99_us", "ops_per_s",
                "errors", "message_bytes", "signature_bytes", "background_us_per_sig", "background_bytes_per_sig"])
            {
                Assert.True(sign.TryGetProperty(name, out _), $"results[0] lacks {name}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
