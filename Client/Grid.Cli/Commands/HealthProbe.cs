using System.Globalization;
using System.Net.Http;
using System.Text.Json;

namespace Grid.Cli.Commands;

/// <summary>
/// Reads grid-silo's <c>/health</c> document for <c>grid status</c>. Any answer that is JSON
/// counts (an unhealthy silo answers 503 with the same document); no answer, or not JSON, is a
/// reason to report instead, never a failure of the command.
/// </summary>
internal static class HealthProbe
{
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:8080/health");

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private const int ExcerptLength = 200;

    public static async Task<(JsonElement? Health, string? Problem)> FetchAsync(
        Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout };
        string body;
        int status;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            return (null,
                ex is TaskCanceledException ? "no answer within " + Seconds(Timeout) : ex.Message);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var problem = status is >= 200 and < 300 ? null : $"HTTP {Code(status)}";
            return (document.RootElement.Clone(), problem);
        }
        catch (JsonException)
        {
            var excerpt = body.Length > ExcerptLength ? body[..ExcerptLength] + "..." : body;
            return (null, $"HTTP {Code(status)}, not JSON: {excerpt}");
        }
    }

    /// <summary>An absolute http(s) URL, or an ArgumentException.</summary>
    public static Uri ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new ArgumentException(
                $"--health-url must be an http:// or https:// URL, not '{text}'");

    private static string Code(int status) => status.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s";
}
