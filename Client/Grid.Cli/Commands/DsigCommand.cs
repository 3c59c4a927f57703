using System.CommandLine;
using Grid.Replication.DSig;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid dsig keygen</c>: makes a process's long-term Ed25519 key pair for DSig
/// (specs/dsig.md §1): the private key readable by its owner only, the public key for every
/// process that verifies this one. The files are what <see cref="DsigOptions"/> names.
/// </summary>
internal static class DsigCommand
{
    public static Command Create()
    {
        var privateKey = new Option<FileInfo>("--private-key")
        {
            HelpName = "FILE",
            Description = "Where to write the private key (PEM, PKCS#8; mode 0600); must not exist yet",
            Required = true,
        };
        var publicKey = new Option<FileInfo>("--public-key")
        {
            HelpName = "FILE",
            Description = "Where to write the public key (PEM, SPKI) that verifiers load; must not exist yet",
            Required = true,
        };
        var keygen = new Command("keygen", "Create a process's long-term Ed25519 key pair for DSig signatures")
        {
            privateKey,
            publicKey,
        };
        keygen.SetAction(async (result, cancellationToken) =>
        {
            var privatePath = result.GetValue(privateKey)!.FullName;
            var publicPath = result.GetValue(publicKey)!.FullName;
            var error = result.InvocationConfiguration.Error;
            if (privatePath == publicPath)
            {
                await error.WriteLineAsync("grid: dsig keygen: --private-key and --public-key name the same file")
                    .ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            try
            {
                DsigKeyFiles.Generate(privatePath, publicPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // CreateNew reports an existing key file as an IOException: never overwrite one,
                // since signatures already issued under it would stop verifying.
                await error.WriteLineAsync($"grid: dsig keygen: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await result.InvocationConfiguration.Output
                .WriteLineAsync($"private key {privatePath}{Environment.NewLine}public key {publicPath}")
                .ConfigureAwait(false);
            return ExitCodes.Success;
        });

        return new Command("dsig", "DSig signature keys") { keygen };
    }
}
