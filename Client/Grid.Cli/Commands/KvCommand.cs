using System.CommandLine;
using System.Globalization;
using System.Text;
using Grid.Cli.Output;
using Grid.Client;

namespace Grid.Cli.Commands;

/// <summary><c>grid kv</c>: get, put, delete, version and bulk import of keys.</summary>
internal static class KvCommand
{
    private static CliJsonContext Json => CliJsonContext.Default;

    /// <param name="input">What import reads without a file; null: standard input.</param>
    public static Command Create(TextReader? input = null)
    {
        var connection = new ConnectionOptions();
        var command = new Command(
            "kv", "The key-value store: values are UTF-8 text here, bytes in the grid")
        {
            Get(connection),
            Put(connection),
            Delete(connection),
            Version(connection),
            KvImportCommand.Create(connection, input),
        };
        return connection.AddTo(command);
    }

    /// <summary>"ok KEY VERSION" or its JSON: what put and import print per acknowledged put.
    /// </summary>
    internal static Task WriteAcknowledgedAsync(CliOutput output, string key, long version) =>
        output.ResultAsync(new KvWriteJson(key, version), Json.KvWriteJson,
            $"ok {key} {version.ToString(CultureInfo.InvariantCulture)}");

    internal static string CheckKey(string key)
    {
        GridValidation.Key(key, "KEY");
        return key;
    }

    internal static byte[] CheckValue(string value, string name = "VALUE")
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        GridValidation.Value(bytes, name);
        return bytes;
    }

    private static Argument<string> KeyArgument() => new("KEY") { Description = "The key" };

    private static Command Get(ConnectionOptions connection)
    {
        var key = KeyArgument();
        var command = new Command(
            "get", "Print the value as UTF-8 text; exit 1 with 'not found: KEY' if absent")
        {
            key,
        };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "kv get",
            () => CheckKey(result.GetValue(key)!),
            async (client, k, output, _) =>
            {
                var entry = await client.Kv.GetAsync(k).ConfigureAwait(false);
                if (!entry.Exists)
                {
                    await output.FailAsync("kv get", $"not found: {k}").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                var text = Encoding.UTF8.GetString(entry.Value!);
                await output.ResultAsync(
                    new KvValueJson(k, text, entry.Version), Json.KvValueJson, text)
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command Put(ConnectionOptions connection)
    {
        var key = KeyArgument();
        var value = new Argument<string>("VALUE") { Description = "The value, stored as UTF-8" };
        var command = new Command("put", "Store a value; prints 'ok KEY VERSION'") { key, value };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "kv put",
            () => (
                Key: CheckKey(result.GetValue(key)!),
                Value: CheckValue(result.GetValue(value)!)),
            async (client, arguments, output, _) =>
            {
                var version = await client.Kv.PutAsync(arguments.Key, arguments.Value)
                    .ConfigureAwait(false);
                await WriteAcknowledgedAsync(output, arguments.Key, version).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command Delete(ConnectionOptions connection)
    {
        var key = KeyArgument();
        var command = new Command(
            "delete", "Remove a key (deleting an absent key changes nothing)") { key };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "kv delete",
            () => CheckKey(result.GetValue(key)!),
            async (client, k, output, _) =>
            {
                var deleted = await client.Kv.DeleteAsync(k).ConfigureAwait(false);
                await output.ResultAsync(new KvDeleteJson(k, deleted), Json.KvDeleteJson,
                    deleted ? $"deleted {k}" : $"absent {k}").ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }

    private static Command Version(ConnectionOptions connection)
    {
        var key = KeyArgument();
        var command = new Command("version", "Print the key's version (0: never written)") { key };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(
            result, connection, "kv version",
            () => CheckKey(result.GetValue(key)!),
            async (client, k, output, _) =>
            {
                var version = await client.Kv.VersionAsync(k).ConfigureAwait(false);
                await output.ResultAsync(new KvWriteJson(k, version), Json.KvWriteJson,
                    version.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));
        return command;
    }
}
