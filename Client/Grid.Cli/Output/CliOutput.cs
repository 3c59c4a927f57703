using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Grid.Cli.Output;

/// <summary>
/// Where a client command writes: results on standard output (Spectre tables for people, JSON
/// with <c>--json</c>), errors on standard error as one "grid: ..." line. Both writers come from
/// the invocation, so tests capture them without touching the process console.
/// </summary>
internal sealed class CliOutput
{
    /// <summary>
    /// As in bench output: a redirected stream has room, where Spectre would assume 80 columns.
    /// </summary>
    private const int RedirectedWidth = 160;

    private IAnsiConsole? _console;

    public CliOutput(TextWriter output, TextWriter error, bool json)
    {
        Out = output;
        Error = error;
        Json = json;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>True with <c>--json</c>: results are one JSON document (or one per line).</summary>
    public bool Json { get; }

    private IAnsiConsole Console => _console ??= CreateConsole();

    public void Write(IRenderable renderable) => Console.Write(renderable);

    public async Task WriteLineAsync(string line)
    {
        await Out.WriteLineAsync(line).ConfigureAwait(false);
        await Out.FlushAsync().ConfigureAwait(false);
    }

    public Task WriteJsonAsync<T>(T value, JsonTypeInfo<T> typeInfo) =>
        WriteLineAsync(JsonSerializer.Serialize(value, typeInfo));

    /// <summary>A result: the JSON document with <c>--json</c>, otherwise the line.</summary>
    public Task ResultAsync<T>(T document, JsonTypeInfo<T> typeInfo, string line) =>
        Json ? WriteJsonAsync(document, typeInfo) : WriteLineAsync(line);

    /// <summary>A result: the JSON document with <c>--json</c>, otherwise the table.</summary>
    public Task ResultAsync<T>(T document, JsonTypeInfo<T> typeInfo, Func<IRenderable> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (Json)
        {
            return WriteJsonAsync(document, typeInfo);
        }

        Write(table());
        return Task.CompletedTask;
    }

    /// <summary>One "grid: command: message" line on standard error.</summary>
    public async Task FailAsync(string command, string message)
    {
        await Error.WriteLineAsync($"grid: {command}: {message}").ConfigureAwait(false);
        await Error.FlushAsync().ConfigureAwait(false);
    }

    private IAnsiConsole CreateConsole()
    {
        var redirected = !ReferenceEquals(Out, System.Console.Out)
            || System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
