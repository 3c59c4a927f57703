using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Grid.Client;

/// <summary>
/// A gateway as <c>HOST:PORT</c>: a host name, an IPv4 address or a bracketed IPv6 address
/// (<c>[::1]:30000</c>). Host names are resolved when the client connects.
/// </summary>
public readonly record struct GatewayAddress
{
    public GatewayAddress(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        Host = host;
        Port = port;
    }

    public string Host { get; }

    public int Port { get; }

    public static bool TryParse(string? text, out GatewayAddress address)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        var host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture,
                out var port) || port is < 1 or > IPEndPoint.MaxPort)
        {
            return false;
        }

        if (host.StartsWith('['))
        {
            // [IPv6]:PORT; an unbracketed IPv6 address is ambiguous and refused.
            if (!host.EndsWith(']') || !IPAddress.TryParse(host[1..^1], out var v6)
                || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal) || !IsHostName(host))
        {
            return false;
        }

        address = new GatewayAddress(host, port);
        return true;
    }

    /// <exception cref="FormatException">The text is not HOST:PORT.</exception>
    public static GatewayAddress Parse(string text) =>
        TryParse(text, out var address)
            ? address
            : throw new FormatException(
                $"'{text}' is not a gateway HOST:PORT (for example 127.0.0.1:30000)");

    /// <summary>The addresses to try: the literal address, or what DNS says the name is.</summary>
    public async Task<IPEndPoint[]> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(Host, out var literal))
        {
            return [new IPEndPoint(literal, Port)];
        }

        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            // Silos listen on IPv4 loopback by default; ::1 would be a second, dead gateway.
            return [new IPEndPoint(IPAddress.Loopback, Port)];
        }

        var addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken)
            .ConfigureAwait(false);
        var port = Port;
        return Array.ConvertAll(addresses, a => new IPEndPoint(a, port));
    }

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal)
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private static bool IsHostName(string host)
    {
        if (host.Length > 253)
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
