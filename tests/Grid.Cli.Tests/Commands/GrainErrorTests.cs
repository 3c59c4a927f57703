using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary>
/// A silo that answers but fails the call exits 1. The test silo hosts none of our grains, so
/// every grain call fails there with Orleans' "no implementation" error: the grain-error path.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class GrainErrorTests(SiloFixture fixture)
{
    [Theory]
    [InlineData("kv", "get", "k")]
    [InlineData("account", "deposit", "alice", "100")]
    [InlineData("orders", "book", "X")]
    public async Task A_failed_grain_call_exits_1_with_the_error(params string[] args)
    {
        var run = await Cli.RunAsync([.. args, "--gateway", fixture.Silo.Gateway]);

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.StartsWith($"grid: {args[0]} {args[1]}: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("implementation", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task An_import_whose_writes_all_fail_prints_no_ok_line_and_exits_1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"grid-import-{Guid.NewGuid():N}.tsv");
        await File.WriteAllTextAsync(file, "a\t1\nb\t2\n", TestContext.Current.CancellationToken);
        try
        {
            var run = await Cli.RunAsync("kv", "import", file, "--gateway", fixture.Silo.Gateway, "--key-timeout", "0.5");

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
}
