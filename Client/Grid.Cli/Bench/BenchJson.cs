using System.Text.Json;

namespace Grid.Cli.Bench;

/// <summary>Writes the <c>--json</c> file of any bench.</summary>
internal static class BenchJson
{
    public static async Task WriteAsync(
        string path,
        string bench,
        IReadOnlyList<BenchResult> results,
        IReadOnlyList<BenchSystemReport>? systems = null,
        CancellationToken cancellationToken = default)
    {
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(
                stream, new BenchReport(bench, results) { Systems = systems }, BenchJsonContext.Default.BenchReport,
                cancellationToken).ConfigureAwait(false);
        }
    }
}
