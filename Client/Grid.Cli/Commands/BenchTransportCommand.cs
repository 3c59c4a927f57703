using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Grid.Cli.Bench;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;
using Spectre.Console;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid bench transport</c>: one-sided verbs over the TCP and in-process fabrics against a
/// bare socket ping-pong, at 1 and 16 outstanding batches (see <see cref="TransportBench"/>).
/// </summary>
internal static class BenchTransportCommand
{
    private const int DefaultOps = 20_000;
    private const int DefaultRounds = 5;

    private const string Caption =
        "count = completed batches; latency is per batch, ops/s = batches per second of wall " +
        "time; a 'batch' row (READ 64 + WRITE 64 + CAS) counts one op per batch = one roundtrip";

    public static Command Create()
    {
        var memoryNode = new Option<string?>("--memnode")
        {
            HelpName = "HOST:PORT",
            Description = "Memory node to measure, HOST:PORT (writes the first " +
                ByteSize.Format(VerbWorkload.RequiredBytes(TransportBench.OutstandingMax)) +
                " of region 0). Without it the bench starts its own on loopback in this process",
        };
        var keyFile = new Option<string?>("--cluster-key-file")
        {
            HelpName = "PATH",
            Description = "File holding the cluster key; required with --memnode",
        };
        var ops = new Option<int>("--ops")
        {
            HelpName = "N",
            Description = "Measured batches per row, split across its outstanding loops; a " +
                $"warm-up of 10% (at most {BenchPlan.WarmupOpsMax}) runs first",
            DefaultValueFactory = _ => DefaultOps,
        };
        var rounds = new Option<int>("--rounds")
        {
            HelpName = "R",
            Description = "Rounds: each runs every row with ops/R of its ops, so that a slow " +
                "phase of the machine hits all rows alike; rows merge their rounds",
            DefaultValueFactory = _ => DefaultRounds,
        };
        var json = BenchOutputFiles.JsonOption();
        var plot = BenchOutputFiles.PlotOption();

        var command = new Command(
            "transport",
            "Latency (p50/p99) and throughput of READ, WRITE, CAS, FAA and a 3-op batch over the " +
            "TCP fabric and the in-process fabric, next to a bare 64-byte socket ping-pong")
        {
            memoryNode, keyFile, ops, rounds, json, plot,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            TransportBenchSettings settings;
            BenchOutputFiles files;
            try
            {
                settings = ReadSettings(
                    result.GetValue(memoryNode),
                    result.GetValue(keyFile),
                    result.GetValue(ops),
                    result.GetValue(rounds));
                files = BenchOutputFiles.Read(result, json, plot);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException
                or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"grid: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            return await RunAsync(settings, files, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static TransportBenchSettings ReadSettings(
        string? memoryNode, string? keyFile, int ops, int rounds)
    {
        if (ops < 1)
        {
            throw new ArgumentException($"--ops must be at least 1, not {ops}");
        }

        if (rounds < 1 || rounds > ops)
        {
            throw new ArgumentException($"--rounds must be between 1 and --ops ({ops}), not {rounds}");
        }

        IPEndPoint? endpoint = null;
        if (memoryNode is not null && !NetworkAddress.TryParse(memoryNode, out endpoint))
        {
            throw new FormatException(
                $"--memnode '{memoryNode}' is not HOST:PORT (for example 127.0.0.1:7101)");
        }

        if (endpoint is not null && keyFile is null)
        {
            throw new ArgumentException(
                "--memnode needs --cluster-key-file PATH, the key the memory node runs with");
        }

        // The key file also works without --memnode (the local node then uses it); otherwise a
        // fresh key keeps the in-process node closed to anything else on this machine.
        var key = keyFile is not null
            ? ClusterKey.FromFile(keyFile)
            : ClusterKey.FromSecret(ClusterKey.GenerateSecret());
        return new TransportBenchSettings(endpoint, key, BenchPlan.ForMeasuredOps(ops, rounds));
    }

    private static async Task<int> RunAsync(
        TransportBenchSettings settings, BenchOutputFiles files, CancellationToken cancellationToken)
    {
        var progressConsole = BenchConsoles.CreateProgress();
        IReadOnlyList<BenchResult> results;
        try
        {
            var bench = await TransportBench.StartAsync(settings, cancellationToken)
                .ConfigureAwait(false);
            await using (bench.ConfigureAwait(false))
            {
                results = await BenchProgress.RunAsync(
                    progressConsole, bench.CreateRows(), settings.Plan, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is TransportException or SocketException)
        {
            // Unreachable or unusable memory node (or no loopback socket for the baseline).
            await Console.Error.WriteLineAsync($"grid: bench transport: {ex.Message}")
                .ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("grid: bench transport: cancelled")
                .ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }

        var output = BenchConsoles.CreateResults();
        output.Write(BenchTable.Create(results, Caption));
        output.WriteLine(TransportBench.DescribeRatios(results));
        return await files.WriteAsync(TransportBench.Name, results, null, cancellationToken).ConfigureAwait(false);
    }
}
