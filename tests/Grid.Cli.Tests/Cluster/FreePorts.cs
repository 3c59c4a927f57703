using System.Net;
using System.Net.Sockets;

namespace Grid.Cli.Tests.Cluster;

/// <summary>Loopback ports nothing listens on right now (the OS picks them).</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
