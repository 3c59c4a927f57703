using System.Text.Json;

namespace Grid.Cli.Bench;

/// <summary>Writes the <c>--json</c> file of any bench.</summary>
internal static class BenchJson
{
    public static async Task WriteAsync(
        string path,
        string bench,
        IReadOnlyList<BenchResult> results,
        CancellationToken cancellationToken = default)
    {
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(
                stream, new BenchReport(bench, results), BenchJsonContext.Default.BenchReport,
                cancellationToken).ConfigureAwait(false);
        }
    }
}
