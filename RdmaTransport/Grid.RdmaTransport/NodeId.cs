namespace Grid.RdmaTransport;

/// <summary>
/// The identity of a process on the fabric (memory node, replica, silo, client). Rights on memory
/// regions are granted per node id, and over TCP the id is bound to the connection by the
/// authenticated handshake.
/// </summary>
public readonly record struct NodeId(uint Value)
{
    public override string ToString() => $"node-{Value}";
}
