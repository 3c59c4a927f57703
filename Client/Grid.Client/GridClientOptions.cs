using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Grid.Client;

/// <summary>
/// Where the grid is and how patiently to talk to it. Plain properties with defaults that match
/// <c>grid-silo</c>'s (localhost clustering, gateway 30000, service and cluster "grid");
/// <see cref="Validate"/> rejects bad combinations before anything connects.
/// </summary>
public sealed class GridClientOptions
{
    public const int DefaultGatewayPort = 30000;
    public const string DefaultServiceId = "grid";
    public const string DefaultClusterId = "grid";

    /// <summary>Bounds on the timeouts, so that a typo (ms for s) fails loudly.</summary>
    public static readonly TimeSpan TimeoutMax = TimeSpan.FromHours(1);

    public GridConnectionMode Mode { get; set; } = GridConnectionMode.Localhost;

    /// <summary><see cref="GridConnectionMode.Localhost"/>: the gateway port on 127.0.0.1.
    /// </summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary><see cref="GridConnectionMode.Gateways"/>: HOST:PORT of each gateway.</summary>
    public IList<string> Gateways { get; } = [];

    /// <summary>
    /// <see cref="GridConnectionMode.Redis"/>: a StackExchange.Redis configuration string
    /// (<c>host:6379,password=...</c>), the one the silos use for membership.
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Orleans' ClusterOptions.ServiceId: the silos' must match.</summary>
    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>Orleans' ClusterOptions.ClusterId: the silos' must match.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>
    /// How long <see cref="GridClient.ConnectAsync"/> keeps trying before it gives up with a
    /// <see cref="GridConnectionException"/> (one attempt is also bounded by it).
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The pause between two connection attempts.</summary>
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a grain call waits for its answer before a TimeoutException.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Logging of the host <see cref="GridClient.ConnectAsync"/> builds; none by default, so that
    /// a command line's output stays its own. Not validated; AddGridClient leaves logging to the
    /// application's host.
    /// </summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    public static GridClientOptions ForLocalhost(int gatewayPort = DefaultGatewayPort) =>
        new() { Mode = GridConnectionMode.Localhost, GatewayPort = gatewayPort };

    public static GridClientOptions ForGateways(params IEnumerable<string> gateways)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var options = new GridClientOptions { Mode = GridConnectionMode.Gateways };
        foreach (var gateway in gateways)
        {
            options.Gateways.Add(gateway);
        }

        return options;
    }

    public static GridClientOptions ForRedis(string connectionString) =>
        new() { Mode = GridConnectionMode.Redis, RedisConnectionString = connectionString };

    /// <summary>A copy to change without touching these options (a client may hold them).</summary>
    public GridClientOptions Clone()
    {
        var copy = new GridClientOptions
        {
            Mode = Mode,
            GatewayPort = GatewayPort,
            RedisConnectionString = RedisConnectionString,
            ServiceId = ServiceId,
            ClusterId = ClusterId,
            ConnectTimeout = ConnectTimeout,
            ConnectRetryDelay = ConnectRetryDelay,
            ResponseTimeout = ResponseTimeout,
            ConfigureLogging = ConfigureLogging,
        };
        foreach (var gateway in Gateways)
        {
            copy.Gateways.Add(gateway);
        }

        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        switch (Mode)
        {
            case GridConnectionMode.Localhost:
                if (GatewayPort is < 1 or > 65535)
                {
                    throw new ArgumentException(
                        $"GatewayPort must be between 1 and 65535, not {GatewayPort}",
                        nameof(GatewayPort));
                }

                break;
            case GridConnectionMode.Gateways:
                if (Gateways.Count == 0)
                {
                    throw new ArgumentException(
                        "Gateways mode needs at least one HOST:PORT", nameof(Gateways));
                }

                foreach (var gateway in Gateways)
                {
                    if (!GatewayAddress.TryParse(gateway, out _))
                    {
                        throw new ArgumentException(
                            $"gateway '{gateway}' is not HOST:PORT (for example 127.0.0.1:30000)",
                            nameof(Gateways));
                    }
                }

                break;
            case GridConnectionMode.Redis:
                if (string.IsNullOrWhiteSpace(RedisConnectionString))
                {
                    throw new ArgumentException(
                        "Redis mode needs a connection string (for example localhost:6379)",
                        nameof(RedisConnectionString));
                }

                break;
            default:
                throw new ArgumentException($"unknown connection mode {Mode}", nameof(Mode));
        }

        CheckId(ServiceId, nameof(ServiceId));
        CheckId(ClusterId, nameof(ClusterId));
        CheckTimeout(ConnectTimeout, nameof(ConnectTimeout));
        CheckTimeout(ResponseTimeout, nameof(ResponseTimeout));
        if (ConnectRetryDelay < TimeSpan.Zero || ConnectRetryDelay > ConnectTimeout)
        {
            throw new ArgumentException(
                "ConnectRetryDelay must be between 0 and ConnectTimeout " +
                $"({Seconds(ConnectTimeout)}), " +
                $"not {Seconds(ConnectRetryDelay)}",
                nameof(ConnectRetryDelay));
        }
    }

    /// <summary>
    /// Where the client looks for silos, for messages: "127.0.0.1:30000 (localhost clustering,
    /// service grid)". A Redis password is not shown.
    /// </summary>
    public string DescribeTarget() => Mode switch
    {
        GridConnectionMode.Localhost =>
            $"127.0.0.1:{GatewayPort.ToString(CultureInfo.InvariantCulture)} " +
            $"(localhost clustering, service {ServiceId})",
        GridConnectionMode.Gateways =>
            $"{string.Join(", ", Gateways.Select(g => g.Trim()))} " +
            $"(static gateways, service {ServiceId}, cluster {ClusterId})",
        _ => $"the gateways registered in Redis {RedactRedis(RedisConnectionString)} " +
            $"(Redis membership, service {ServiceId}, cluster {ClusterId})",
    };

    internal static string RedactRedis(string? connectionString)
    {
        if (connectionString is null)
        {
            return "";
        }

        var parts = connectionString.Split(',');
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? "" : part[..equals].Trim();
            text.Append(name.Equals("password", StringComparison.OrdinalIgnoreCase)
                ? name + "=***"
                : part.Trim());
        }

        return text.ToString();
    }

    private static void CheckId(string id, string name)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 256 || id.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"{name} must be 1-256 printable characters, not '{id}'", name);
        }
    }

    private static void CheckTimeout(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeoutMax)
        {
            throw new ArgumentException(
                $"{name} must be more than 0 and at most {Seconds(TimeoutMax)}, " +
                $"not {Seconds(value)}",
                name);
        }
    }

    private static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
