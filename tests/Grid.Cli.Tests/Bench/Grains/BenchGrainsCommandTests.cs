using Grid.Cli.Bench;
using Grid.Cli.Bench.Grains;
using Grid.Cli.Commands;

namespace Grid.Cli.Tests.Bench.Grains;

public sealed class BenchGrainsCommandTests
{
    private const string RedisServer = "/usr/bin/redis-server";

    [Theory]
    [InlineData("--provider", "postgres")]
    [InlineData("--provider", ",")]
    [InlineData("--ops", "0")]
    [InlineData("--rounds", "0")]
    [InlineData("--value-size", "-1")]
    [InlineData("--concurrency", "0")]
    [InlineData("--concurrency", "65")]
    [InlineData("--memnodes", "127.0.0.1:7101,127.0.0.1:7102")]
    [InlineData("--cluster-key-file", "key.txt")]
    [InlineData("--ops", "many")]
    public async Task Bad_arguments_exit_2_before_anything_starts(string option, string value)
    {
        var exitCode = await GridCommand.InvokeAsync(["bench", "grains", option, value]);

        Assert.Equal(ExitCodes.Usage, exitCode);
    }

    [Fact]
    public async Task Unreachable_memory_nodes_fail_the_run_with_exit_1()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-bench-grains-test-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, "a cluster key of at least sixteen bytes", TestContext.Current.CancellationToken);
        try
        {
            // Port 1 on loopback: nothing listens, the connection is refused at once.
            var exitCode = await GridCommand.InvokeAsync(
            [
                "bench", "grains", "--provider", "swarm", "--ops", "10",
                "--memnodes", "127.0.0.1:1", "--cluster-key-file", keyFile,
            ]);

            Assert.Equal(ExitCodes.Failure, exitCode);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Theory]
    [InlineData(new[] { "postgres" }, 100, 5, 64, 1, null, null, "--provider must be swarm, memory, redis, not 'postgres'")]
    [InlineData(new string[0], 0, 1, 64, 1, null, null, "--ops must be at least 1, not 0")]
    [InlineData(new string[0], 10, 11, 64, 1, null, null, "--rounds must be between 1 and --ops (10), not 11")]
    [InlineData(new string[0], 100, 5, 600_000, 1, null, null, "--value-size must be between 0 and")]
    [InlineData(new string[0], 100, 5, 64, 0, null, null, "--concurrency must be between 1 and 64, not 0")]
    [InlineData(new string[0], 100, 5, 64, 1, "127.0.0.1:1,127.0.0.1:2", "k", "odd number of memory nodes")]
    [InlineData(new string[0], 100, 5, 64, 1, "nonsense", "k", "'nonsense' is not HOST:PORT")]
    [InlineData(new string[0], 100, 5, 64, 1, "127.0.0.1:7101", null, "--memnodes needs --cluster-key-file")]
    [InlineData(new string[0], 100, 5, 64, 1, null, "k", "--cluster-key-file goes with --memnodes")]
    [InlineData(new[] { "memory" }, 100, 5, 64, 1, "127.0.0.1:7101", "k", "--memnodes is for the swarm provider")]
    public void Bad_arguments_are_refused_with_the_option_named(
        string[] providers, int ops, int rounds, int valueSize, int concurrency, string? memoryNodes,
        string? keyFile, string expected)
    {
        var error = Assert.ThrowsAny<Exception>(() => BenchGrainsCommand.ReadSettings(
            providers, ops, rounds, valueSize, concurrency, memoryNodes, keyFile, RedisServer));

        Assert.True(error is ArgumentException or FormatException, error.GetType().Name);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_asked_for_by_name_without_redis_server_is_a_usage_error()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchGrainsCommand.ReadSettings(
            ["swarm", "redis"], 100, 5, 64, 1, null, null, redisServer: null));

        Assert.Contains("--provider redis needs redis-server on PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_redis_server_the_default_run_skips_redis_and_says_why()
    {
        var settings = BenchGrainsCommand.ReadSettings([], 100, 5, 64, 1, null, null, redisServer: null);

        Assert.Equal([GrainsBench.Swarm, GrainsBench.Memory], settings.Providers);
        Assert.Contains("redis-server is not on PATH", settings.RedisSkipped, StringComparison.Ordinal);
        Assert.Null(settings.RedisServer);
    }

    [Fact]
    public void Providers_repeat_or_come_comma_separated_and_run_in_table_order()
    {
        var settings = BenchGrainsCommand.ReadSettings(
            ["redis,memory", "swarm", "memory"], 100, 5, 64, 1, null, null, RedisServer);

        Assert.Equal([GrainsBench.Swarm, GrainsBench.Memory, GrainsBench.Redis], settings.Providers);
        Assert.Null(settings.RedisSkipped);
        Assert.Equal(RedisServer, settings.RedisServer);
    }

    [Theory]
    [InlineData(200, 1, 200)]
    [InlineData(50_000, 4, GrainsBenchSettings.GrainPoolMax)]
    [InlineData(3, 8, 8)]
    public void The_grain_pool_is_no_larger_than_the_ops_and_gives_every_loop_a_grain(
        int ops, int concurrency, int expected)
    {
        var settings = BenchGrainsCommand.ReadSettings(["memory"], ops, 1, 64, concurrency, null, null, null);

        Assert.Equal(expected, settings.GrainPool);
    }

    [Fact]
    public void The_ratios_put_swarm_storage_write_over_redis_first()
    {
        BenchResult[] results =
        [
            Result(GrainsBench.Swarm, GrainsBench.StorageWrite, 90),
            Result(GrainsBench.Memory, GrainsBench.StorageWrite, 30),
            Result(GrainsBench.Redis, GrainsBench.StorageWrite, 60),
            Result(GrainsBench.Swarm, GrainsBench.Call, 200),
            Result(GrainsBench.Redis, GrainsBench.Call, 100),
        ];

        var lines = GrainsBench.DescribeRatios(results);

        Assert.Equal(
            [
                "swarm storage-write p50 / redis storage-write p50 = 1.50x",
                "swarm p50 / memory p50: storage-write 3.00x",
                "swarm p50 / redis p50: storage-write 1.50x, call 2.00x",
            ],
            lines);
    }

    private static BenchResult Result(string system, string op, double p50) => new()
    {
        System = system,
        Op = op,
        Outstanding = 1,
        Count = 1,
        P50Microseconds = p50,
        P99Microseconds = p50,
        OpsPerSecond = 1,
        Errors = 0,
    };
}
