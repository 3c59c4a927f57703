using System.Net;
using Grid.RdmaTransport.Tcp;

namespace Grid.Silo;

/// <summary>
/// The <c>Grid</c> section of grid-silo's configuration (appsettings.json, then environment
/// variables such as <c>Grid__WriterId=2</c>, then the command line, later sources winning).
/// </summary>
public sealed class GridSiloOptions
{
    public const string Section = "Grid";

    public string ServiceId { get; set; } = "grid";

    public string ClusterId { get; set; } = "grid";

    /// <summary><c>localhost</c> (one machine; silos after the first name the first as <see cref="PrimarySilo"/>) or <c>redis</c>.</summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>The first silo's silo-to-silo endpoint, for the other silos of a localhost cluster.</summary>
    public string? PrimarySilo { get; set; }

    /// <summary>The Redis connection string for Redis membership.</summary>
    public string? Redis { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Where the dashboard and /health listen.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The memory nodes (<c>host:port</c>), comma separated; empty: embedded in-process nodes.</summary>
    public string? MemoryNodes { get; set; }

    public string? ClusterKey { get; set; }

    public string? ClusterKeyFile { get; set; }

    /// <summary>This silo's SWARM writer id: 0 (default) leases a free one; 1..16 names one no other running silo uses.</summary>
    public int WriterId { get; set; }

    /// <summary>How many in-process memory nodes the embedded default starts.</summary>
    public int EmbeddedMemoryNodes { get; set; } = 3;

    /// <summary>
    /// Declare dead silos in seconds rather than about a minute (short probe timeouts): for local
    /// clusters and tests, where a process kill should fail over quickly.
    /// </summary>
    public bool FastFailover { get; set; }

    public IReadOnlyList<string> MemoryNodeList =>
        string.IsNullOrWhiteSpace(MemoryNodes)
            ? []
            : MemoryNodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every problem with the options, each saying what to fix; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ServiceId) || string.IsNullOrWhiteSpace(ClusterId))
        {
            errors.Add("Grid:ServiceId and Grid:ClusterId must not be empty");
        }

        if (Clustering is not ("localhost" or "redis"))
        {
            errors.Add($"Grid:Clustering is \"{Clustering}\"; use localhost or redis");
        }

        if (Clustering == "redis" && string.IsNullOrWhiteSpace(Redis))
        {
            errors.Add("Grid:Clustering=redis needs Grid:Redis (a connection string such as 127.0.0.1:6379)");
        }

        if (PrimarySilo is not null && !NetworkAddress.TryParse(PrimarySilo, out _))
        {
            errors.Add($"Grid:PrimarySilo \"{PrimarySilo}\" is not host:port");
        }

        foreach (var (name, port) in new[] { ("SiloPort", SiloPort), ("GatewayPort", GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"Grid:{name} is {port}; it must be in 1..65535");
            }
        }

        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            errors.Add($"Grid:AdvertisedAddress \"{AdvertisedAddress}\" is not an IP address");
        }

        if (!Uri.TryCreate(HttpUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add($"Grid:HttpUrl \"{HttpUrl}\" is not an http(s) URL");
        }

        foreach (var node in MemoryNodeList)
        {
            if (!NetworkAddress.TryParse(node, out _))
            {
                errors.Add($"memory node \"{node}\" is not host:port");
            }
        }

        if (MemoryNodeList.Count > 0 && ClusterKey is null && ClusterKeyFile is null)
        {
            errors.Add("TCP memory nodes need the cluster key: set Grid:ClusterKeyFile (--cluster-key-file) or Grid:ClusterKey");
        }

        var writersMax = Grid.Persistence.Swarm.SwarmGrainStorageOptions.DefaultLayout().MaxWriters;
        if (WriterId < 0 || WriterId > writersMax)
        {
            errors.Add($"Grid:WriterId is {WriterId}; use 0 to lease a free id, or 1..{writersMax} unique among running silos");
        }

        if (EmbeddedMemoryNodes is < 1 or > 15 || EmbeddedMemoryNodes % 2 == 0)
        {
            errors.Add($"Grid:EmbeddedMemoryNodes is {EmbeddedMemoryNodes}; use an odd number from 1 to 15");
        }

        return errors;
    }
}
