using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary>
/// A silo that answers but cannot reach a majority of its memory nodes fails every grain call
/// that touches storage: the command exits 1 (the silo answered, the operation failed) with the
/// storage's reason, and an import acknowledges nothing.
/// </summary>
public sealed class StorageDownTests(StorageDownTests.Fixture fixture)
    : IClassFixture<StorageDownTests.Fixture>
{
    [Theory]
    [InlineData("kv", "get", "k")]
    [InlineData("kv", "put", "k", "v")]
    [InlineData("account", "deposit", "alice", "100")]
    [InlineData("orders", "book", "X")]
    public async Task A_failed_grain_call_exits_1_with_the_storage_error(params string[] args)
    {
        var run = await Cli.RunAsync([.. args, "--gateway", fixture.Silo.Gateway]);

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.StartsWith($"grid: {args[0]} {args[1]}: ", run.Error, StringComparison.Ordinal);
        // One line: Orleans' wrapper, the provider's reason and the quorum's, no stack traces.
        Assert.True(run.Error.Contains(
            "failed: a majority of memory nodes did not answer: only 1 of 3 memory nodes can still " +
            "answer; a quorum needs 2", StringComparison.Ordinal), run.ToString());
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(" at ", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task An_import_whose_writes_all_fail_prints_no_ok_line_and_exits_1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"grid-import-{Guid.NewGuid():N}.tsv");
        await File.WriteAllTextAsync(file, "a\t1\nb\t2\n", TestContext.Current.CancellationToken);
        try
        {
            var run = await Cli.RunAsync(
                "kv", "import", file, "--gateway", fixture.Silo.Gateway, "--key-timeout", "0.5");

            Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
            Assert.Equal("", run.Output);
            Assert.Contains("failed a (line 1): not acknowledged within 0.5 s", run.Error, StringComparison.Ordinal);
            Assert.Contains("failed b (line 2)", run.Error, StringComparison.Ordinal);
            Assert.Contains("0 written, 2 failed of 2 lines", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A silo of its own whose memory nodes 0 and 2 of 3 crashed after it started.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public LocalSilo Silo { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Silo = await LocalSilo.StartAsync("storage-down-silo");
            Silo.MemoryNodes.Crash(0);
            Silo.MemoryNodes.Crash(2);
        }

        public async ValueTask DisposeAsync()
        {
            if (Silo is not null)
            {
                await Silo.DisposeAsync();
            }
        }
    }
}
