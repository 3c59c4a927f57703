using System.CommandLine;
using Grid.Cli.Output;
using Grid.Client;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Grid.Cli.Commands;

/// <summary>
/// Runs one client command the same way for all: read and check the arguments (exit 2 before
/// connecting), connect (exit 3 when no silo answers), call (exit 1 on a grain error, 3 when the
/// cluster went away), with one "grid: command: reason" line on standard error.
/// </summary>
internal static class ClientCommand
{
    public delegate Task<int> Body<in TArgs>(
        GridClient client, TArgs arguments, CliOutput output, CancellationToken cancellationToken);

    public static CliOutput Output(ParseResult result, ConnectionOptions connection) =>
        new(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
            result.GetValue(connection.Json));

    public static async Task<int> RunAsync<TArgs>(
        ParseResult result,
        ConnectionOptions connection,
        string name,
        Func<TArgs> readArguments,
        Body<TArgs> body,
        CancellationToken cancellationToken)
    {
        var output = Output(result, connection);
        GridClientOptions options;
        TArgs arguments;
        try
        {
            options = connection.Read(result);
            arguments = readArguments();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException
            or UnauthorizedAccessException)
        {
            await output.FailAsync(name, CliArguments.Message(ex)).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        GridClient client;
        try
        {
            client = await GridClient.ConnectAsync(options, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (GridConnectionException ex)
        {
            await output.FailAsync(name, ex.Message).ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await output.FailAsync(name, "cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }

        await using (client.ConfigureAwait(false))
        {
            try
            {
                return await body(client, arguments, output, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await output.FailAsync(name, "cancelled").ConfigureAwait(false);
                return ExitCodes.Cancelled;
            }
            catch (Exception ex) when (IsClusterGone(ex))
            {
                await output.FailAsync(name, $"lost the cluster: {ex.Message}")
                    .ConfigureAwait(false);
                return ExitCodes.Unavailable;
            }
            catch (Exception ex)
            {
                // A grain error: the silo answered, the operation failed.
                await output.FailAsync(name, CliArguments.Message(ex)).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        }
    }

    /// <summary>The call could not reach any silo (as opposed to a silo refusing it).</summary>
    public static bool IsClusterGone(Exception exception) =>
        exception is GridConnectionException or SiloUnavailableException
            or ConnectionFailedException;
}
