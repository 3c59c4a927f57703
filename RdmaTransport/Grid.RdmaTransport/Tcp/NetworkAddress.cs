using System.Net;

namespace Grid.RdmaTransport.Tcp;

/// <summary>Parses <c>HOST:PORT</c> as the command lines take it (IPv4, [IPv6] or localhost).</summary>
public static class NetworkAddress
{
    public static bool TryParse(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        const string LocalhostPrefix = "localhost:";
        if (text.StartsWith(LocalhostPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (!ushort.TryParse(text.AsSpan(LocalhostPrefix.Length), out var port))
            {
                return false;
            }

            endPoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        if (!IPEndPoint.TryParse(text, out var parsed) || !text.Contains(':', StringComparison.Ordinal)
            || (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !text.Contains(']')))
        {
            return false;
        }

        endPoint = parsed;
        return true;
    }

    public static IPEndPoint Parse(string text) =>
        TryParse(text, out var endPoint)
            ? endPoint
            : throw new FormatException($"'{text}' is not HOST:PORT (for example 127.0.0.1:7101)");
}
