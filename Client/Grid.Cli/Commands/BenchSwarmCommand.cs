using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grid.Cli.Bench;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;
using Grid.Replication.Kv.Raw;
using Grid.Replication.Swarm;
using Spectre.Console;

namespace Grid.Cli.Commands;

/// <summary>
/// <c>grid bench swarm</c>: RAW, raw-replicated, DM-ABD and SWARM-KV under YCSB A or B in one run, optionally
/// with a memory node killed mid-run (see <see cref="SwarmBench"/>).
/// </summary>
internal static class BenchSwarmCommand
{
    /// <summary>SWARM's metadata word names at most 63 writers; each client is one.</summary>
    public const int ClientsMax = 63;

    private const int DefaultOps = 50_000;
    private const int ValueBytesMax = 1 << 20;
    private const int KeysMax = 10_000_000;

    private const string Caption =
        "outstanding = clients, one op in flight each; count = completed measured ops of that kind; " +
        "ops/s = those per second of the system's measured wall time; mean_rtt = roundtrips on an " +
        "op's critical path; one_rtt_fraction = ops that took exactly one";

    public static Command Create()
    {
        var fabric = new Option<string>("--fabric")
        {
            HelpName = "inproc|tcp",
            Description = "tcp: grid-memnode processes on loopback (started here unless " +
                "--memnode-addresses); inproc: in-process memory nodes",
            DefaultValueFactory = _ => "tcp",
        };
        var memoryNodes = new Option<int>("--memnodes")
        {
            HelpName = "N",
            Description = "Memory nodes of raw-replicated, DM-ABD and SWARM, an odd 2f+1 (RAW uses one)",
            DefaultValueFactory = _ => 3,
        };
        var clients = new Option<int>("--clients")
        {
            HelpName = "N",
            Description = $"Concurrent clients per system, one op in flight each (1-{ClientsMax})",
            DefaultValueFactory = _ => 4,
        };
        var keys = new Option<int>("--keys")
        {
            HelpName = "N",
            Description = "Keys loaded before the run (24-byte \"user...\" keys)",
            DefaultValueFactory = _ => 10_000,
        };
        var valueSize = new Option<int>("--value-size")
        {
            HelpName = "BYTES",
            Description = $"Bytes per value ({WriteHistory.MinimumValueBytes}-{ValueBytesMax}; the first 8 tag the write)",
            DefaultValueFactory = _ => 64,
        };
        var workload = new Option<string>("--workload")
        {
            HelpName = "a|b",
            Description = "YCSB A (50% gets, 50% updates) or B (95% / 5%); keys zipfian (0.99, scrambled)",
            DefaultValueFactory = _ => "b",
        };
        var ops = new Option<int>("--ops")
        {
            HelpName = "N",
            Description = "Measured ops per system, all clients together; a warm-up of 10% (at most " +
                $"{BenchPlan.WarmupOpsMax}) runs first, after every client read every key once",
            DefaultValueFactory = _ => DefaultOps,
        };
        var crashAt = new Option<double?>("--crash-memnode-at")
        {
            HelpName = "SECONDS",
            Description = "Kill memory node 0 this long into the measured phase of raw-replicated, " +
                "DM-ABD and SWARM (SIGKILL; inproc: a fabric crash); their phase then lasts at least until " +
                $"{SwarmBenchSettings.AfterCrash.TotalSeconds} s after the crash. raw-replicated has no " +
                "safety: its lost-write count is what the check found, not a guarantee",
        };
        var addresses = new Option<string?>("--memnode-addresses")
        {
            HelpName = "HOST:PORT,...",
            Description = "Running memory nodes to use (tcp) instead of starting them; at least " +
                "--memnodes of them, region 0 is cleared before each system",
        };
        var keyFile = new Option<string?>("--cluster-key-file")
        {
            HelpName = "PATH",
            Description = "File holding the cluster key of --memnode-addresses",
        };
        var latency = new Option<double?>("--latency-us")
        {
            HelpName = "MICROSECONDS",
            Description = "inproc only: a modelled one-way network latency, so that the run is " +
                "network-bound like the paper's RDMA setup rather than bound by the CPU of emulated memory nodes",
        };
        var json = BenchOutputFiles.JsonOption();
        var plot = BenchOutputFiles.PlotOption();

        var command = new Command(
            "swarm",
            "SWARM-KV against the unreplicated RAW baseline, the raw-replicated baseline (one plain " +
            "roundtrip to 2f+1 nodes, no safety) and 2-roundtrip DM-ABD under YCSB: " +
            "p50/p99 latency, throughput and roundtrips per get and update, optionally across a " +
            "memory-node crash")
        {
            fabric, memoryNodes, clients, keys, valueSize, workload, ops, crashAt, addresses, keyFile, latency, json, plot,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            SwarmBenchSettings settings;
            BenchOutputFiles files;
            try
            {
                settings = ReadSettings(
                    result.GetValue(fabric)!,
                    result.GetValue(memoryNodes),
                    result.GetValue(clients),
                    result.GetValue(keys),
                    result.GetValue(valueSize),
                    result.GetValue(workload)!,
                    result.GetValue(ops),
                    result.GetValue(crashAt),
                    result.GetValue(addresses),
                    result.GetValue(keyFile),
                    result.GetValue(latency));
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

    internal static SwarmBenchSettings ReadSettings(
        string fabric,
        int memoryNodes,
        int clients,
        int keys,
        int valueSize,
        string workload,
        int ops,
        double? crashAt,
        string? addresses,
        string? keyFile,
        double? latencyMicroseconds = null)
    {
        if (fabric is not ("tcp" or "inproc"))
        {
            throw new ArgumentException($"--fabric must be inproc or tcp, not '{fabric}'");
        }

        if (memoryNodes < 1 || memoryNodes % 2 == 0)
        {
            throw new ArgumentException(
                $"--memnodes must be odd (2f+1 memory nodes: 1, 3, 5, ...), not {memoryNodes}");
        }

        if (clients is < 1 or > ClientsMax)
        {
            throw new ArgumentException($"--clients must be between 1 and {ClientsMax}, not {clients}");
        }

        if (keys is < 1 or > KeysMax)
        {
            throw new ArgumentException($"--keys must be between 1 and {KeysMax:N0}, not {keys}");
        }

        if (valueSize < WriteHistory.MinimumValueBytes || valueSize > ValueBytesMax)
        {
            throw new ArgumentException(
                $"--value-size must be between {WriteHistory.MinimumValueBytes} and {ValueBytesMax} bytes " +
                $"(values start with an 8-byte tag), not {valueSize}");
        }

        if (ops < 1)
        {
            throw new ArgumentException($"--ops must be at least 1, not {ops}");
        }

        TimeSpan? crash = null;
        if (crashAt is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > 3_600)
            {
                throw new ArgumentException(
                    $"--crash-memnode-at must be between 0 and 3600 seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}");
            }

            crash = TimeSpan.FromSeconds(seconds);
        }

        List<IPEndPoint>? endpoints = null;
        ClusterKey? key = null;
        if (addresses is not null)
        {
            if (fabric != "tcp")
            {
                throw new ArgumentException("--memnode-addresses needs --fabric tcp");
            }

            endpoints = ParseAddresses(addresses);
            if (endpoints.Count < memoryNodes)
            {
                throw new ArgumentException(
                    $"--memnode-addresses names {endpoints.Count} memory node(s); --memnodes needs {memoryNodes}");
            }

            if (keyFile is null)
            {
                throw new ArgumentException(
                    "--memnode-addresses needs --cluster-key-file PATH, the key the memory nodes run with");
            }

            if (crash is not null)
            {
                throw new ArgumentException(
                    "--crash-memnode-at kills a memory node this bench started; it cannot with --memnode-addresses");
            }

            key = ClusterKey.FromFile(keyFile);
        }
        else if (keyFile is not null)
        {
            throw new ArgumentException(
                "--cluster-key-file goes with --memnode-addresses (nodes started here get a fresh key)");
        }

        var oneWay = TimeSpan.Zero;
        if (latencyMicroseconds is { } micros)
        {
            if (fabric != "inproc")
            {
                throw new ArgumentException("--latency-us models the in-process fabric's network; it needs --fabric inproc");
            }

            if (!double.IsFinite(micros) || micros < 0 || micros > 100_000)
            {
                throw new ArgumentException(
                    $"--latency-us must be between 0 and 100000, not {micros.ToString(CultureInfo.InvariantCulture)}");
            }

            oneWay = TimeSpan.FromMicroseconds(micros);
        }

        return new SwarmBenchSettings(
            fabric, memoryNodes, clients, keys, valueSize, YcsbWorkload.Parse(workload),
            BenchPlan.ForMeasuredOps(ops), crash, endpoints, key, oneWay);
    }

    private static List<IPEndPoint> ParseAddresses(string addresses)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var part in addresses.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!NetworkAddress.TryParse(part, out var endpoint))
            {
                throw new FormatException(
                    $"--memnode-addresses: '{part}' is not HOST:PORT (for example 127.0.0.1:7101)");
            }

            endpoints.Add(endpoint);
        }

        return endpoints;
    }

    private static async Task<int> RunAsync(
        SwarmBenchSettings settings, BenchOutputFiles files, CancellationToken cancellationToken)
    {
        var progressConsole = BenchConsoles.CreateProgress();
        SwarmBenchOutcome outcome;
        try
        {
            outcome = await SwarmBench.RunAsync(settings, progressConsole, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SwarmBench.IsStoreError(ex)
            || ex is SocketException or InvalidOperationException or SwarmCapacityException or RawKvTableFullException)
        {
            // A memory node that cannot be started, reached or used, or a store out of room.
            await Console.Error.WriteLineAsync($"grid: bench swarm: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("grid: bench swarm: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }

        var output = BenchConsoles.CreateResults();
        output.Write(BenchTable.Create(outcome.Results, Caption));
        foreach (var line in SwarmBench.DescribeRatios(outcome.Results))
        {
            output.WriteLine(line);
        }
        if (outcome.Systems.Count > 0)
        {
            output.Write(CrashTables.Summary(outcome.Systems));
            output.Write(CrashTables.Timeline(outcome.Systems));
        }

        return await files.WriteAsync(
            SwarmBench.Name, outcome.Results, outcome.Systems.Count > 0 ? outcome.Systems : null, cancellationToken)
            .ConfigureAwait(false);
    }
}
