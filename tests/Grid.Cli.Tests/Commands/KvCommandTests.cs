using System.Globalization;
using System.Text;
using System.Text.Json;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;
using Grid.Client;
using Grid.Grains.Kv;

namespace Grid.Cli.Tests.Commands;

/// <summary><c>grid kv put/get/version/delete</c> against the real grains and SWARM storage.</summary>
[Collection(SiloCollection.Name)]
public sealed class KvCommandTests(SiloFixture fixture)
{
    private string Gateway => fixture.Silo.Gateway;

    [Fact]
    public async Task Put_get_version_delete_round_trip_and_versions_grow()
    {
        var key = Keys.New("kv");

        var version = await Cli.RunAsync("kv", "version", key, "--gateway", Gateway);
        Assert.True(version.ExitCode == ExitCodes.Success, version.ToString());
        Assert.Equal("0", version.Output.Trim());

        await AssertPutAsync(key, "first", 1);
        await AssertGetAsync(key, "first");
        await AssertPutAsync(key, "second", 2);
        await AssertGetAsync(key, "second");

        var json = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway, "--json");
        Assert.True(json.ExitCode == ExitCodes.Success, json.ToString());
        using (var document = JsonDocument.Parse(json.Output))
        {
            Assert.Equal(key, document.RootElement.GetProperty("key").GetString());
            Assert.Equal("second", document.RootElement.GetProperty("value").GetString());
            Assert.Equal(2, document.RootElement.GetProperty("version").GetInt64());
        }

        var delete = await Cli.RunAsync("kv", "delete", key, "--gateway", Gateway);
        Assert.True(delete.ExitCode == ExitCodes.Success, delete.ToString());
        Assert.Equal($"deleted {key}", delete.Output.Trim());

        // The tombstone is a write: the version keeps growing through a delete.
        version = await Cli.RunAsync("kv", "version", key, "--gateway", Gateway);
        Assert.Equal("3", version.Output.Trim());

        var get = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway);
        Assert.True(get.ExitCode == ExitCodes.Failure, get.ToString());
        Assert.Equal($"grid: kv get: not found: {key}", get.Error.Trim());
        Assert.Equal("", get.Output);

        var again = await Cli.RunAsync("kv", "delete", key, "--gateway", Gateway, "--json");
        Assert.True(again.ExitCode == ExitCodes.Success, again.ToString());
        using (var document = JsonDocument.Parse(again.Output))
        {
            Assert.False(document.RootElement.GetProperty("deleted").GetBoolean());
        }

        version = await Cli.RunAsync("kv", "version", key, "--gateway", Gateway, "--json");
        using (var document = JsonDocument.Parse(version.Output))
        {
            Assert.Equal(3, document.RootElement.GetProperty("version").GetInt64());
        }

        await AssertPutAsync(key, "after delete", 4);
        await AssertGetAsync(key, "after delete");
    }

    [Fact]
    public async Task A_key_of_the_longest_size_the_client_accepts_is_stored()
    {
        var key = Keys.NewOfBytes("longest", GridValidation.KeyBytesMax);

        await AssertPutAsync(key, "v", 1);
        await AssertGetAsync(key, "v");
        var delete = await Cli.RunAsync("kv", "delete", key, "--gateway", Gateway);
        Assert.True(delete.ExitCode == ExitCodes.Success, delete.ToString());
    }

    [Fact]
    public async Task A_key_never_written_is_not_found()
    {
        var key = Keys.New("absent");

        var run = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway);

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.Equal($"grid: kv get: not found: {key}", run.Error.Trim());
    }

    [Fact]
    public async Task A_large_utf8_value_round_trips_byte_for_byte()
    {
        var key = Keys.New("large");
        // Two-, three- and four-byte characters (and a tab) up to just under the limit.
        const string unit = "é€😀\tz";
        var unitBytes = Encoding.UTF8.GetByteCount(unit);
        var value = string.Concat(Enumerable.Repeat(unit, (KvLimits.MaxValueBytes / unitBytes) - 1));
        Assert.True(Encoding.UTF8.GetByteCount(value) > KvLimits.MaxValueBytes - (2 * unitBytes));

        var put = await Cli.RunAsync("kv", "put", key, value, "--gateway", Gateway);
        Assert.True(put.ExitCode == ExitCodes.Success, Short(put));

        var get = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway);
        Assert.True(get.ExitCode == ExitCodes.Success, Short(get));
        Assert.Equal(value + Environment.NewLine, get.Output);

        var json = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway, "--json");
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(value, document.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public async Task A_value_at_the_limit_is_stored_and_one_byte_more_is_refused_clearly()
    {
        var key = Keys.New("limit");
        var atLimit = new string('x', KvLimits.MaxValueBytes);

        var put = await Cli.RunAsync("kv", "put", key, atLimit, "--gateway", Gateway);
        Assert.True(put.ExitCode == ExitCodes.Success, Short(put));

        // Checked before connecting: a bad argument (exit 2, README), nothing written.
        var over = await Cli.RunAsync("kv", "put", key, atLimit + "é", "--gateway", Gateway);
        Assert.True(over.ExitCode == ExitCodes.Usage, Short(over));
        Assert.Equal("grid: kv put: VALUE is 524,290 bytes; a value holds at most 524,288",
            over.Error.Trim());
        var version = await Cli.RunAsync("kv", "version", key, "--gateway", Gateway);
        Assert.Equal("1", version.Output.Trim());
    }

    [Fact]
    public async Task An_oversize_import_line_fails_alone_and_exits_1()
    {
        var small = Keys.New("small");
        var big = Keys.New("big");
        var input = $"{big}\t{new string('v', KvLimits.MaxValueBytes + 1)}\n{small}\tfits\n";

        var run = await Cli.RunWithInputAsync(input, "kv", "import", "--gateway", Gateway);

        Assert.True(run.ExitCode == ExitCodes.Failure, Short(run));
        Assert.Equal($"ok {small} 1", run.Output.Trim());
        Assert.Contains(
            "grid: kv import: line 1: VALUE is 524,289 bytes; a value holds at most 524,288",
            run.Error, StringComparison.Ordinal);
        Assert.Contains("1 written, 1 failed of 2 lines", run.Error, StringComparison.Ordinal);
        var version = await Cli.RunAsync("kv", "version", big, "--gateway", Gateway);
        Assert.Equal("0", version.Output.Trim());
    }

    [Fact]
    public async Task The_grain_itself_refuses_an_oversize_value_with_the_limit_in_the_message()
    {
        // Past the client's check, straight to the grain: the limit holds in the silo too.
        await using var client = await GridClient.ConnectAsync(
            GridClientOptions.ForGateways(Gateway),
            TestContext.Current.CancellationToken);
        var key = Keys.New("grain-limit");
        var grain = client.ClusterClient.GetGrain<IKvGrain>(key);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => grain.Put(new byte[KvLimits.MaxValueBytes + 1]));

        Assert.Contains("KvLimits.MaxValueBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await grain.GetVersion());
    }

    private async Task AssertPutAsync(string key, string value, long expectedVersion)
    {
        var run = await Cli.RunAsync("kv", "put", key, value, "--gateway", Gateway);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(
            $"ok {key} {expectedVersion.ToString(CultureInfo.InvariantCulture)}",
            run.Output.Trim());
        Assert.Equal("", run.Error);
    }

    private async Task AssertGetAsync(string key, string value)
    {
        var run = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(value + Environment.NewLine, run.Output);
    }

    /// <summary>A run's description without its (half-megabyte) output.</summary>
    private static string Short(CliRun run) =>
        $"exit {run.ExitCode}; stderr: {run.Error}; stdout {run.Output.Length} chars";
}
