using System.Globalization;
using System.Text;
using System.Text.Json;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary>
/// <c>grid kv import</c> against the real grains: every "ok KEY VERSION" line it prints names a
/// write that reads back, with that version and the line's value.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class KvImportCommandTests(SiloFixture fixture)
{
    private string Gateway => fixture.Silo.Gateway;

    [Fact]
    public async Task Every_acknowledged_key_of_a_file_reads_back_with_its_value()
    {
        var lines = NewLines("file");
        var file = Path.Combine(Path.GetTempPath(), $"grid-import-{Guid.NewGuid():N}.tsv");
        await File.WriteAllTextAsync(file, Document(lines), new UTF8Encoding(false),
            TestContext.Current.CancellationToken);
        try
        {
            var run = await Cli.RunAsync("kv", "import", file, "--gateway", Gateway);

            Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
            Assert.Equal("", run.Error);
            await AssertReadBackAsync(lines, run.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_acknowledged_key_of_standard_input_reads_back_with_its_value()
    {
        var lines = NewLines("stdin");

        var run = await Cli.RunWithInputAsync(Document(lines), "kv", "import", "-", "--gateway", Gateway);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("", run.Error);
        await AssertReadBackAsync(lines, run.Output);
    }

    [Fact]
    public async Task Standard_input_is_read_without_a_file_argument_and_bad_lines_fail_alone()
    {
        var good = Keys.New("good");
        var input = $"no tab here\n{good}\tv\n\n\tno key\n";

        var run = await Cli.RunWithInputAsync(input, "kv", "import", "--gateway", Gateway, "--json");

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        using (var document = JsonDocument.Parse(run.Output))
        {
            Assert.Equal(good, document.RootElement.GetProperty("key").GetString());
            Assert.Equal(1, document.RootElement.GetProperty("version").GetInt64());
        }

        Assert.Contains("line 1: expected KEY<TAB>VALUE, found no tab", run.Error, StringComparison.Ordinal);
        Assert.Contains("line 4: KEY must be 1-512 bytes of UTF-8, not 0", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 written, 2 failed of 4 lines", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Keys and values the way real files have them: repeats (the later line wins and the
    /// version grows), tabs inside values, non-ASCII text, spaces in keys, an empty value.
    /// </summary>
    private static List<(string Key, string Value)> NewLines(string prefix)
    {
        var repeated = Keys.New($"{prefix}-repeated");
        var lines = new List<(string Key, string Value)>
        {
            (repeated, "one"),
            (Keys.New($"{prefix}-tabs"), "a\tb\tc"),
            (Keys.New($"{prefix}-unicode ключ"), "naïve café 😀 €"),
            (Keys.New($"{prefix}-empty"), ""),
            (repeated, "two"),
        };
        for (var i = 0; i < 20; i++)
        {
            lines.Add((Keys.New($"{prefix}-{i}"), $"value {i}"));
        }

        return lines;
    }

    private static string Document(List<(string Key, string Value)> lines) =>
        string.Concat(lines.Select(l => $"{l.Key}\t{l.Value}\n"));

    private async Task AssertReadBackAsync(List<(string Key, string Value)> lines, string output)
    {
        var acknowledged = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.TrimEnd('\r').Split(' '))
            .ToList();
        Assert.Equal(lines.Count, acknowledged.Count);
        var expectedVersions = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            // "ok KEY VERSION", in line order; a key may contain spaces.
            var words = acknowledged[i];
            Assert.Equal("ok", words[0]);
            Assert.Equal(lines[i].Key, string.Join(' ', words[1..^1]));
            var version = long.Parse(words[^1], CultureInfo.InvariantCulture);
            expectedVersions[lines[i].Key] = expectedVersions.GetValueOrDefault(lines[i].Key) + 1;
            Assert.Equal(expectedVersions[lines[i].Key], version);
        }

        var last = lines.GroupBy(l => l.Key, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Value: g.Last().Value));
        foreach (var (key, value) in last)
        {
            var get = await Cli.RunAsync("kv", "get", key, "--gateway", Gateway, "--json");
            Assert.True(get.ExitCode == ExitCodes.Success, get.ToString());
            using var document = JsonDocument.Parse(get.Output);
            Assert.Equal(value, document.RootElement.GetProperty("value").GetString());
            Assert.Equal(expectedVersions[key], document.RootElement.GetProperty("version").GetInt64());
        }
    }
}
