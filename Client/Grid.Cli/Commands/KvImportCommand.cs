using System.CommandLine;
using System.Globalization;
using System.Text;
using Grid.Cli.Kv;
using Grid.Client;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid kv import [FILE]</c>: bulk writes that survive silo failovers (see
/// <see cref="KvImporter"/>).
/// </summary>
internal static class KvImportCommand
{
    /// <summary>A longer attempt is abandoned and retried (it may still land).</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <param name="connection">The options of <c>grid kv</c>.</param>
    /// <param name="input">What to read without a file; null: standard input, as UTF-8.</param>
    public static Command Create(ConnectionOptions connection, TextReader? input = null)
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "KEY<TAB>VALUE lines (UTF-8); standard input when absent or '-'",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var keyTimeout = new Option<double>("--key-timeout")
        {
            HelpName = "SECONDS",
            Description = "How long one key is retried (across silo failovers and " +
                "reconnections) before it counts as failed",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command(
            "import",
            "Write KEY<TAB>VALUE lines, printing 'ok KEY VERSION' (flushed) for each " +
            "acknowledged write; exit 1 if any line failed")
        {
            file, keyTimeout,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "kv import",
            () => ReadArguments(result.GetValue(file), result.GetValue(keyTimeout)),
            async (client, arguments, output, token) =>
            {
                var importer = new KvImporter(
                    new GridKvImportTarget(client),
                    (remaining, ct) => ReconnectAsync(client.Options, remaining, ct),
                    arguments.Settings, output, TimeProvider.System);
                KvImportSummary summary;
                if (arguments.Path is not null)
                {
                    using var file = new StreamReader(arguments.Path, Encoding.UTF8);
                    summary = await importer.RunAsync(file, token).ConfigureAwait(false);
                }
                else if (input is not null)
                {
                    summary = await importer.RunAsync(input, token).ConfigureAwait(false);
                }
                else
                {
                    // UTF-8 as documented, whatever the console's encoding (LANG) says.
                    using var standardInput = new StreamReader(
                        Console.OpenStandardInput(), new UTF8Encoding(false));
                    summary = await importer.RunAsync(standardInput, token).ConfigureAwait(false);
                }

                if (summary.Failed == 0 && !summary.GaveUp)
                {
                    return ExitCodes.Success;
                }

                await output.FailAsync("kv import",
                    $"{summary.Written} written, {summary.Failed} failed of {summary.Lines} lines")
                    .ConfigureAwait(false);
                return ExitCodes.Failure;
            },
            cancellationToken));
        return command;
    }

    private static (string? Path, KvImportSettings Settings) ReadArguments(
        string? path, double keyTimeoutSeconds)
    {
        if (!double.IsFinite(keyTimeoutSeconds) || keyTimeoutSeconds <= 0
            || keyTimeoutSeconds > 3_600)
        {
            throw new ArgumentException(
                "--key-timeout must be more than 0 and at most 3600 seconds, not " +
                keyTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        }

        if (path == "-")
        {
            path = null;
        }

        if (path is not null && !File.Exists(path))
        {
            throw new FileNotFoundException($"FILE '{path}' does not exist", path);
        }

        var keyTimeout = TimeSpan.FromSeconds(keyTimeoutSeconds);
        var attemptTimeout = keyTimeout < AttemptTimeout ? keyTimeout : AttemptTimeout;
        return (path, new KvImportSettings(keyTimeout, attemptTimeout));
    }

    /// <summary>A new client with the same options, trying no longer than the key has.</summary>
    private static async Task<IKvImportTarget> ReconnectAsync(
        GridClientOptions options, TimeSpan remaining, CancellationToken cancellationToken)
    {
        var retry = options.Clone();
        if (remaining < retry.ConnectTimeout)
        {
            retry.ConnectTimeout = remaining;
            if (remaining < retry.ConnectRetryDelay)
            {
                retry.ConnectRetryDelay = remaining / 4;
            }
        }

        var client = await GridClient.ConnectAsync(retry, cancellationToken).ConfigureAwait(false);
        return new GridKvImportTarget(client);
    }
}
