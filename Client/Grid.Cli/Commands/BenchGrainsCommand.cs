using System.CommandLine;
using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Grid.Cli.Bench;
using Grid.Cli.Bench.Grains;
using Grid.Persistence.Swarm;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;
using Orleans.Persistence.Redis;
using Orleans.Runtime;
using Spectre.Console;
using StackExchange.Redis;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid bench grains</c>: Orleans grain storage over SWARM against Orleans' memory and Redis
/// providers, side by side in one silo (see <see cref="GrainsBench"/>).
/// </summary>
internal static class BenchGrainsCommand
{
    public const int ConcurrencyMax = 64;

    /// <summary>Well inside a SWARM state (1 MiB with its record header and serialization).</summary>
    public const int ValueBytesMax = 512 * 1024;

    private const int DefaultOps = 10_000;
    private const StringSplitOptions ListParts =
        StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries;
    private const int DefaultRounds = 5;

    private const string Caption =
        "storage-write / storage-read: the silo's IGrainStorage called directly; call: a client " +
        "call through the gateway to a grain that writes its state; outstanding = loops, one op " +
        "in flight each; ops/s = completed ops per second of the row's wall time";

    public static Command Create()
    {
        var providers = new Option<string[]>("--provider")
        {
            HelpName = "swarm|memory|redis",
            Description = "A provider to measure; repeatable (or comma-separated). Default: all " +
                "available (redis needs redis-server on PATH)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ops = new Option<int>("--ops")
        {
            HelpName = "N",
            Description = "Measured ops per provider and op; a warm-up of 10% (at most " +
                $"{BenchPlan.WarmupOpsMax}) runs first, after every grain was written once",
            DefaultValueFactory = _ => DefaultOps,
        };
        var rounds = new Option<int>("--rounds")
        {
            HelpName = "R",
            Description = "Rounds: each runs every row with ops/R of its ops, providers alternating, " +
                "so that a slow phase of the machine hits all of them alike",
            DefaultValueFactory = _ => DefaultRounds,
        };
        var valueSize = new Option<int>("--value-size")
        {
            HelpName = "BYTES",
            Description = $"Bytes of the byte[] in each grain state (0-{ValueBytesMax})",
            DefaultValueFactory = _ => 64,
        };
        var concurrency = new Option<int>("--concurrency")
        {
            HelpName = "C",
            Description = $"Loops per row, one op in flight each, each on its own grains (1-{ConcurrencyMax})",
            DefaultValueFactory = _ => 1,
        };
        var memoryNodes = new Option<string?>("--memnodes")
        {
            HelpName = "HOST:PORT,...",
            Description = "Running grid-memnode processes (2f+1) for the swarm provider, instead of " +
                $"starting {SwarmMemoryNodes.Count} here; each needs a region 0 of " +
                $"{SwarmMemoryNodes.RegionMiB}MiB (--size); the bench writes its records there",
        };
        var keyFile = new Option<string?>("--cluster-key-file")
        {
            HelpName = "FILE",
            Description = "File holding the cluster key of --memnodes",
        };
        var json = BenchOutputFiles.JsonOption();
        var plot = BenchOutputFiles.PlotOption();

        var command = new Command(
            "grains",
            "Orleans grain storage on SWARM against Orleans' memory and Redis storage, in one silo: " +
            "p50/p99 latency and throughput of WriteStateAsync, ReadStateAsync and a grain call that writes state")
        {
            providers, ops, rounds, valueSize, concurrency, memoryNodes, keyFile, json, plot,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            GrainsBenchSettings settings;
            BenchOutputFiles files;
            try
            {
                settings = ReadSettings(
                    result.GetValue(providers) ?? [],
                    result.GetValue(ops),
                    result.GetValue(rounds),
                    result.GetValue(valueSize),
                    result.GetValue(concurrency),
                    result.GetValue(memoryNodes),
                    result.GetValue(keyFile),
                    RedisServerProcess.Find());
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

    /// <summary>
    /// Checks the command line. <paramref name="redisServer"/> is where <c>redis-server</c> is,
    /// or null when it is not on PATH: then redis is skipped, or refused if asked for by name.
    /// </summary>
    internal static GrainsBenchSettings ReadSettings(
        IReadOnlyList<string> providers,
        int ops,
        int rounds,
        int valueSize,
        int concurrency,
        string? memoryNodes,
        string? keyFile,
        string? redisServer)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var requested = ParseProviders(providers);
        string? redisSkipped = null;
        if (redisServer is null && requested.Contains(GrainsBench.Redis))
        {
            if (providers.Count > 0)
            {
                throw new ArgumentException(
                    $"--provider redis needs {RedisServerProcess.ExecutableName} on PATH, and it is not " +
                    "(Debian/Ubuntu: apt-get install redis-server)");
            }

            requested.Remove(GrainsBench.Redis);
            redisSkipped = $"{RedisServerProcess.ExecutableName} is not on PATH " +
                "(Debian/Ubuntu: apt-get install redis-server)";
        }

        if (ops < 1)
        {
            throw new ArgumentException($"--ops must be at least 1, not {ops}");
        }

        if (rounds < 1 || rounds > ops)
        {
            throw new ArgumentException($"--rounds must be between 1 and --ops ({ops}), not {rounds}");
        }

        if (valueSize is < 0 or > ValueBytesMax)
        {
            throw new ArgumentException($"--value-size must be between 0 and {ValueBytesMax} bytes, not {valueSize}");
        }

        if (concurrency is < 1 or > ConcurrencyMax)
        {
            throw new ArgumentException($"--concurrency must be between 1 and {ConcurrencyMax}, not {concurrency}");
        }

        var addresses = ReadMemoryNodes(memoryNodes, keyFile, requested.Contains(GrainsBench.Swarm));
        return new GrainsBenchSettings(
            GrainsBench.Systems.Where(requested.Contains).ToList(),
            BenchPlan.ForMeasuredOps(ops, rounds),
            valueSize,
            concurrency,
            addresses,
            addresses is null ? null : keyFile,
            requested.Contains(GrainsBench.Redis) ? redisServer : null)
        {
            RedisSkipped = redisSkipped,
        };
    }

    /// <summary>The providers named (repeated or comma-separated); none named: all of them.</summary>
    private static HashSet<string> ParseProviders(IReadOnlyList<string> providers)
    {
        var requested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in providers.SelectMany(p => p.Split(',', ListParts)))
        {
            if (!GrainsBench.Systems.Contains(part))
            {
                throw new ArgumentException(
                    $"--provider must be {string.Join(", ", GrainsBench.Systems)}, not '{part}'");
            }

            requested.Add(part);
        }

        if (providers.Count > 0 && requested.Count == 0)
        {
            throw new ArgumentException($"--provider names no provider ({string.Join(", ", GrainsBench.Systems)})");
        }

        return providers.Count == 0 ? [.. GrainsBench.Systems] : requested;
    }

    private static List<string>? ReadMemoryNodes(string? memoryNodes, string? keyFile, bool swarm)
    {
        if (memoryNodes is null)
        {
            if (keyFile is not null)
            {
                throw new ArgumentException(
                    "--cluster-key-file goes with --memnodes (nodes started here get a fresh key)");
            }

            return null;
        }

        if (!swarm)
        {
            throw new ArgumentException("--memnodes is for the swarm provider, which this run does not measure");
        }

        var addresses = new List<string>();
        foreach (var part in memoryNodes.Split(',', ListParts))
        {
            if (!NetworkAddress.TryParse(part, out var endpoint))
            {
                throw new FormatException($"--memnodes: '{part}' is not HOST:PORT (for example 127.0.0.1:7101)");
            }

            addresses.Add(endpoint.ToString());
        }

        if (addresses.Count % 2 == 0)
        {
            throw new ArgumentException(
                $"--memnodes must name an odd number of memory nodes (2f+1: 1, 3, 5, ...), not {addresses.Count}");
        }

        if (keyFile is null)
        {
            throw new ArgumentException("--memnodes needs --cluster-key-file FILE, the key the memory nodes run with");
        }

        _ = ClusterKey.FromFile(keyFile); // a missing or unusable key file is a usage error, found now
        return addresses;
    }

    private static async Task<int> RunAsync(
        GrainsBenchSettings settings, BenchOutputFiles files, CancellationToken cancellationToken)
    {
        // System.CommandLine 2.0.0 does not turn Ctrl+C or SIGTERM into the action's token
        // (its ProcessTerminationTimeout is null, dotnet/command-line-api#2739), and this
        // command owns child processes and a silo: a first signal stops the run, which stops
        // them; a second one ends the process at once.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var progressConsole = BenchConsoles.CreateProgress();
        IReadOnlyList<BenchResult> results;
        try
        {
            results = await GrainsBench.RunAsync(settings, progressConsole, stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (stop.IsCancellationRequested
            && (ex is OperationCanceledException || IsStartFailure(ex)))
        {
            // Ops in flight fail as their memory nodes or Redis are killed; that is the stop.
            await Console.Error.WriteLineAsync("grid: bench grains: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (IsStartFailure(ex))
        {
            // A memory node, redis-server, the silo or its client could not be started or reached.
            await Console.Error.WriteLineAsync($"grid: bench grains: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var output = BenchConsoles.CreateResults();
        output.Write(BenchTable.Create(results, Caption));
        if (settings.RedisSkipped is { } why)
        {
            output.WriteLine($"{GrainsBench.Redis}: skipped: {why}");
        }

        foreach (var line in GrainsBench.DescribeRatios(results))
        {
            output.WriteLine(line);
        }

        return await files.WriteAsync(GrainsBench.Name, results, null, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsStartFailure(Exception ex) =>
        GrainsBench.IsOpError(ex) || ex is InvalidOperationException or SocketException or Win32Exception
            or OrleansConfigurationException or RedisConnectionException or SwarmStorageException
            or RedisStorageException or TransportException;
}
