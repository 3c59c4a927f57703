using System.CommandLine;
using System.Runtime.InteropServices;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Storage;
using Grid.RdmaTransport.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Grid.MemoryNode;

/// <summary>The command line of <c>grid-memnode</c>: parse, start the server, wait for a signal.</summary>
internal static partial class MemoryNodeCommand
{
    public static RootCommand Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Address to listen on, HOST:PORT (port 0 picks a free port)",
            DefaultValueFactory = _ => "127.0.0.1:7101",
        };
        var size = new Option<string>("--size")
        {
            Description = "Size of region 0, open to every authenticated peer (4096, 64KiB, 64MiB, 1GiB)",
            DefaultValueFactory = _ => "64MiB",
        };
        var keyFile = new Option<string?>("--cluster-key-file")
        {
            Description = "File holding the cluster key (at least 16 bytes of secret text)",
        };
        var keyEnv = new Option<string?>("--cluster-key-env")
        {
            Description = "Environment variable holding the cluster key (instead of --cluster-key-file)",
        };
        var nodeId = new Option<uint>("--node-id")
        {
            Description = "This memory node's id on the fabric",
            DefaultValueFactory = _ => 1000,
        };
        var owned = new Option<string[]>("--owned-region")
        {
            Description = "A further single-writer region OWNER:SIZE (owner writes, everyone reads); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxPayload = new Option<string>("--max-frame")
        {
            Description = "Largest frame payload accepted or sent",
            DefaultValueFactory = _ => ByteSize.Format(new TcpTransportOptions().MaxPayloadBytes),
        };
        var data = new Option<string?>("--data")
        {
            Description = "Keep the regions in this file (created when missing) so they survive a " +
                "restart of the process; without it memory is lost when the process ends",
        };
        var clusterId = new Option<string>("--cluster-id")
        {
            Description = "The cluster this node belongs to, part of its identity (a data file " +
                "of another cluster is refused)",
            DefaultValueFactory = _ => MemoryNodeIdentity.DefaultClusterId,
        };
        var flushInterval = new Option<double?>("--flush-interval")
        {
            Description = "Seconds between writes of the data file's changed pages to disk " +
                "(msync); without it the kernel writes them back in its own time",
        };
        var clockSkew = new Option<double>("--clock-skew")
        {
            Description = "Milliseconds this node's clock may differ from its clients' clocks: a batch " +
                "is refused this long after its deadline. Must not exceed the clients' " +
                "ClockSkewAllowance (SWARM: Grid:Swarm:Layout:ClockSkewAllowance)",
            DefaultValueFactory = _ => BatchDeadline.Default.ClockSkewAllowance.TotalMilliseconds,
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Least severe log level written to standard error",
            DefaultValueFactory = _ => LogLevel.Information,
        };

        var root = new RootCommand(
            "grid-memnode: a Grid memory node. Serves registered memory to authenticated peers with " +
            "one-sided verbs (READ, WRITE, CAS, FAA) over TCP, enforces per-peer rights, runs no " +
            "protocol logic. Prints 'listening on HOST:PORT' once ready; stops on SIGTERM or Ctrl-C.")
        {
            listen, size, keyFile, keyEnv, nodeId, owned, data, clusterId, flushInterval, clockSkew, maxPayload, logLevel,
        };
        root.SetAction(async (result, cancellationToken) =>
        {
            MemoryNodeOptions options;
            ClusterKey key;
            try
            {
                options = new MemoryNodeOptions
                {
                    NodeId = new NodeId(result.GetValue(nodeId)),
                    Listen = NetworkAddress.Parse(result.GetValue(listen)!),
                    RegionBytes = ByteSize.Parse(result.GetValue(size)!),
                    DataPath = result.GetValue(data),
                    ClusterId = result.GetValue(clusterId)!,
                    FlushInterval = result.GetValue(flushInterval) is { } seconds
                        ? SecondsToInterval(seconds)
                        : null,
                };
                options.Transport.MaxPayloadBytes = checked((int)ByteSize.Parse(result.GetValue(maxPayload)!));
                options.Transport.Deadlines = options.Transport.Deadlines with
                {
                    ClockSkewAllowance = MillisecondsToSkew(result.GetValue(clockSkew)),
                };
                foreach (var region in result.GetValue(owned) ?? [])
                {
                    options.OwnedRegions.Add(OwnedRegion.Parse(region));
                }

                options.Validate();
                key = LoadKey(result.GetValue(keyFile), result.GetValue(keyEnv));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException
                or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"grid-memnode: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            return await RunAsync(options, key, result.GetValue(logLevel), cancellationToken)
                .ConfigureAwait(false);
        });
        return root;
    }

    private static TimeSpan SecondsToInterval(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= MemoryNodeOptions.FlushIntervalMax.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException(
                $"--flush-interval {seconds} is not a number of seconds above 0 and at most " +
                $"{MemoryNodeOptions.FlushIntervalMax.TotalSeconds}");

    private static TimeSpan MillisecondsToSkew(double milliseconds) =>
        double.IsFinite(milliseconds) && milliseconds >= 0 && milliseconds <= TimeSpan.FromMinutes(10).TotalMilliseconds
            ? TimeSpan.FromMilliseconds(milliseconds)
            : throw new ArgumentException(
                $"--clock-skew {milliseconds} is not a number of milliseconds from 0 to 600000");

    private static ClusterKey LoadKey(string? file, string? variable)
    {
        return (file, variable) switch
        {
            (not null, not null) => throw new ArgumentException(
                "give either --cluster-key-file or --cluster-key-env, not both"),
            (not null, null) => ClusterKey.FromFile(file),
            (null, not null) => ClusterKey.FromEnvironment(variable),
            _ => throw new ArgumentException(
                "a cluster key is required: --cluster-key-file PATH or --cluster-key-env VAR"),
        };
    }

    private static async Task<int> RunAsync(
        MemoryNodeOptions options, ClusterKey key, LogLevel level, CancellationToken invocationToken)
    {
        // Stop cleanly on SIGTERM and Ctrl-C: close connections, free memory, exit 0.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var cancellationToken = stop.Token;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        var logger = loggerFactory.CreateLogger("grid-memnode");
        MemoryNodeServer server;
        try
        {
            server = MemoryNodeServer.Start(options, key, loggerFactory);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            await Console.Error.WriteLineAsync(
                $"grid-memnode: cannot listen on {options.Listen}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (DataFileException ex)
        {
            // A file that does not fit these arguments is an argument error: fix one or the other.
            await Console.Error.WriteLineAsync($"grid-memnode: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (server.ConfigureAwait(false))
        {
            var memory = server.DataPath is null
                ? "volatile (lost when the process ends)"
                : $"in data file {server.DataPath} ({(server.CreatedDataFile ? "created" : "reopened")})";
            LogStarted(logger, options.NodeId, server.Identity.ClusterId, server.Identity.IncarnationText,
                server.Endpoint.Regions.Count, options.RegionBytes, memory);
            await Console.Out.WriteLineAsync($"listening on {server.LocalEndPoint}").ConfigureAwait(false);
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                LogStopping(logger, server.ConnectionCount);
            }
        }

        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "memory node {NodeId} of cluster {ClusterId}, incarnation {Incarnation}, serving " +
            "{RegionCount} region(s), region 0 of {RegionBytes} bytes, memory {Memory}")]
    private static partial void LogStarted(
        ILogger logger, NodeId nodeId, string clusterId, string incarnation, int regionCount,
        long regionBytes, string memory);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "stopping on signal; closing {ConnectionCount} connection(s)")]
    private static partial void LogStopping(ILogger logger, int connectionCount);
}
