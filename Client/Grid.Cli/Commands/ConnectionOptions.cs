using System.CommandLine;
using System.Globalization;
using Grid.Client;

namespace Grid.Cli.Commands;

/// <summary>
/// The options every client command takes (where the grid is, and <c>--json</c>). One instance
/// per command group, added recursively, so <c>grid kv get --gateway h:p K</c> works on any
/// subcommand.
/// </summary>
internal sealed class ConnectionOptions
{
    public ConnectionOptions()
    {
        Gateway = new Option<string[]>("--gateway")
        {
            HelpName = "HOST:PORT",
            Description = "A silo gateway; repeatable. Default: localhost clustering at " +
                "127.0.0.1:" +
                GridClientOptions.DefaultGatewayPort.ToString(CultureInfo.InvariantCulture),
            Recursive = true,
        };
        Redis = new Option<string?>("--redis")
        {
            HelpName = "CONNECTION",
            Description =
                "Find the gateways in the Redis membership table the silos use (host:6379,...)",
            Recursive = true,
        };
        ServiceId = new Option<string>("--service-id")
        {
            HelpName = "ID",
            Description = "The cluster's Orleans ServiceId",
            DefaultValueFactory = _ => GridClientOptions.DefaultServiceId,
            Recursive = true,
        };
        ClusterId = new Option<string>("--cluster-id")
        {
            HelpName = "ID",
            Description = "The cluster's Orleans ClusterId",
            DefaultValueFactory = _ => GridClientOptions.DefaultClusterId,
            Recursive = true,
        };
        ConnectTimeout = new Option<double>("--connect-timeout")
        {
            HelpName = "SECONDS",
            Description = "Give up (exit 3) when no silo answers within this long",
            DefaultValueFactory = _ => 10,
            Recursive = true,
        };
        Json = new Option<bool>("--json")
        {
            Description = "Write the result as JSON on standard output instead of a table",
            Recursive = true,
        };
    }

    public Option<string[]> Gateway { get; }

    public Option<string?> Redis { get; }

    public Option<string> ServiceId { get; }

    public Option<string> ClusterId { get; }

    public Option<double> ConnectTimeout { get; }

    public Option<bool> Json { get; }

    public Command AddTo(Command command)
    {
        command.Options.Add(Gateway);
        command.Options.Add(Redis);
        command.Options.Add(ServiceId);
        command.Options.Add(ClusterId);
        command.Options.Add(ConnectTimeout);
        command.Options.Add(Json);
        return command;
    }

    /// <summary>The client options the command line names; ArgumentException if bad.</summary>
    public GridClientOptions Read(ParseResult result)
    {
        var gateways = result.GetValue(Gateway) ?? [];
        var redis = result.GetValue(Redis);
        if (gateways.Length > 0 && redis is not null)
        {
            throw new ArgumentException(
                "--gateway and --redis exclude each other: name gateways or a membership table");
        }

        GridClientOptions options;
        if (redis is not null)
        {
            options = GridClientOptions.ForRedis(redis);
        }
        else if (gateways.Length > 0)
        {
            foreach (var gateway in gateways)
            {
                if (!GatewayAddress.TryParse(gateway, out _))
                {
                    throw new ArgumentException(
                        $"--gateway '{gateway}' is not HOST:PORT (for example 127.0.0.1:30000)");
                }
            }

            options = GridClientOptions.ForGateways(gateways);
        }
        else
        {
            options = GridClientOptions.ForLocalhost();
        }

        var timeout = result.GetValue(ConnectTimeout);
        var timeoutMax = GridClientOptions.TimeoutMax.TotalSeconds;
        if (!double.IsFinite(timeout) || timeout <= 0 || timeout > timeoutMax)
        {
            throw new ArgumentException(
                $"--connect-timeout must be more than 0 and at most {timeoutMax} seconds, " +
                $"not {timeout.ToString(CultureInfo.InvariantCulture)}");
        }

        options.ServiceId = result.GetValue(ServiceId)!;
        options.ClusterId = result.GetValue(ClusterId)!;
        options.ConnectTimeout = TimeSpan.FromSeconds(timeout);
        if (options.ConnectRetryDelay > options.ConnectTimeout)
        {
            options.ConnectRetryDelay = options.ConnectTimeout / 4;
        }

        options.Validate();
        return options;
    }
}
