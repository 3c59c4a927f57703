using System.Net;
using System.Net.Sockets;

namespace Grid.EndToEnd.Tests;

internal static class FreePorts
{
    /// <summary>Ports the OS had free a moment ago (bound once to port 0, then released).</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
