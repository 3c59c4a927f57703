using System.CommandLine;
using System.Text.Json;
using Grid.Cli.Output;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid status</c>: the cluster's silos (through Orleans' management grain) and, when it
/// answers, grid-silo's <c>/health</c> document: a table of its memory nodes (connected,
/// reconnecting with the attempt count, needs rebuild) and the document itself.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var healthUrl = new Option<string>("--health-url")
        {
            HelpName = "URL",
            Description =
                "grid-silo's health endpoint; skipped with a note when it does not answer",
            DefaultValueFactory = _ => HealthProbe.DefaultUrl.ToString(),
        };
        var command = new Command(
            "status", "Show the silos (address, status, name) and grid-silo's health")
        {
            healthUrl,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "status",
            () => HealthProbe.ParseUrl(result.GetValue(healthUrl)!),
            async (client, url, output, token) =>
            {
                var silos = await client.Status.SilosAsync().ConfigureAwait(false);
                var (health, problem) = await HealthProbe.FetchAsync(url, token)
                    .ConfigureAwait(false);
                if (output.Json)
                {
                    var status = new StatusJson(silos, url.ToString(), health, problem);
                    await output.WriteJsonAsync(status, CliJsonContext.Default.StatusJson)
                        .ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                output.Write(Tables.Silos(silos));
                if (health is { } document)
                {
                    if (Tables.MemoryNodes(document) is { } memoryNodes)
                    {
                        output.Write(memoryNodes);
                    }

                    var note = problem is null ? "" : $" ({problem})";
                    await output.WriteLineAsync($"health {url}{note}:").ConfigureAwait(false);
                    // Indented through a JsonDocument writer: no reflection on arbitrary types.
                    await output.WriteLineAsync(Indent(document)).ConfigureAwait(false);
                }
                else
                {
                    await output.WriteLineAsync($"health {url}: skipped ({problem})")
                        .ConfigureAwait(false);
                }

                return ExitCodes.Success;
            },
            cancellationToken));
        return connection.AddTo(command);
    }

    private static string Indent(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
