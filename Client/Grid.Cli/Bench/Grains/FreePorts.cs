using System.Net;
using System.Net.Sockets;

namespace Grid.Cli.Bench.Grains;

/// <summary>Free TCP ports on loopback, for the silo, its gateway and redis-server.</summary>
internal static class FreePorts
{
    /// <summary>
    /// A port that was free a moment ago: the OS picks it, the socket is closed again. Another
    /// process could take it before the caller binds it; the callers fail clearly if so.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
