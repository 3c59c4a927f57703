using System.CommandLine;
using Grid.Cli.Bench;
using Grid.Cli.Bench.Dsig;
using Spectre.Console;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid bench dsig</c>: DSig sign, fast verify and slow-path verify against Ed25519 in
/// libsodium (NSec) and BouncyCastle, per message size (see <see cref="DsigBench"/>).
/// </summary>
internal static class BenchDsigCommand
{
    private const int DefaultOps = 20_000;
    private const int DefaultRounds = 5;

    private const string Caption =
        "single-threaded: ops/s is per core; dsig background = the signer's key generation, tree and " +
        "Ed25519 root signature (sign rows) or the verifier's batch pre-verification (verify rows), per " +
        "signature, and the batch bytes each expected verifier receives per signature";

    /// <summary>Short headers for the JSON fields, so the table fits 160 columns.</summary>
    private static readonly Dictionary<string, string> ColumnHeaders = new()
    {
        ["message_bytes"] = "msg B",
        ["signature_bytes"] = "sig B",
        ["background_us_per_sig"] = "bg µs/sig",
        ["background_bytes_per_sig"] = "bg B/sig",
        ["ops_per_s_with_background"] = "ops/s with bg",
    };

    public static Command Create()
    {
        var ops = new Option<int>("--ops")
        {
            HelpName = "N",
            Description = "Measured ops per row, split over the rounds; two warm-up passes of " +
                $"10% (at most {BenchPlan.WarmupOpsMax}) run first, so the JIT has optimised the code",
            DefaultValueFactory = _ => DefaultOps,
        };
        var rounds = new Option<int>("--rounds")
        {
            HelpName = "R",
            Description = "Rounds: each runs every row with ops/R of its ops; rows merge their rounds",
            DefaultValueFactory = _ => DefaultRounds,
        };
        var json = BenchOutputFiles.JsonOption();
        var plot = BenchOutputFiles.PlotOption();
        var command = new Command(
            "dsig",
            "Latency (p50/p99) and per-core throughput of DSig signatures against Ed25519 (NSec and " +
            "BouncyCastle), for 8-byte and 1-KiB messages")
        {
            ops, rounds, json, plot,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var measured = result.GetValue(ops);
            var roundCount = result.GetValue(rounds);
            BenchOutputFiles files;
            try
            {
                if (measured < 1)
                {
                    throw new ArgumentException($"--ops must be at least 1, not {measured}");
                }

                if (roundCount < 1 || roundCount > measured)
                {
                    throw new ArgumentException($"--rounds must be between 1 and --ops ({measured}), not {roundCount}");
                }

                files = BenchOutputFiles.Read(result, json, plot);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException)
            {
                await Console.Error.WriteLineAsync($"grid: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var settings = new DsigBenchSettings(
                BenchPlan.ForMeasuredOps(measured, roundCount), DsigBenchSettings.DefaultMessageSizes);
            return await RunAsync(settings, files, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(DsigBenchSettings settings, BenchOutputFiles files, CancellationToken cancellationToken)
    {
        IReadOnlyList<BenchResult> results;
        try
        {
            var progress = BenchConsoles.CreateProgress();
            progress.MarkupLine("[grey]bench dsig: preparing keys and signatures[/]");
            using var bench = new DsigBench(settings);
            IReadOnlyList<BenchResult>? measured = null;
            BenchProgress.Display(progress)
                .Start(context =>
                {
                    var task = context.AddTask("bench dsig: rows x rounds");
                    measured = bench.Run(
                        (done, total) =>
                        {
                            task.MaxValue = total;
                            task.Value = done;
                        },
                        cancellationToken);
                    task.Value = task.MaxValue;
                });
            results = measured!;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("grid: bench dsig: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }

        var output = BenchConsoles.CreateResults();
        output.Write(BenchTable.Create(results, Caption, ColumnHeaders));
        output.WriteLine(DsigBench.DescribeRatios(results));
        var written = await files.WriteAsync(DsigBench.Name, results, null, cancellationToken).ConfigureAwait(false);
        return written != ExitCodes.Success || results.Any(r => r.Errors > 0) ? ExitCodes.Failure : ExitCodes.Success;
    }
}
