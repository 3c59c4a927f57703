namespace Grid.Client;

/// <summary>How a client finds the silos' gateways (orleans.md §5).</summary>
public enum GridConnectionMode
{
    /// <summary>
    /// One silo (or a development cluster) on this machine: gateway 127.0.0.1 at
    /// <see cref="GridClientOptions.GatewayPort"/>. What <c>grid-silo</c> runs by default.
    /// </summary>
    Localhost,

    /// <summary>A fixed list of gateways, <see cref="GridClientOptions.Gateways"/>.</summary>
    Gateways,

    /// <summary>
    /// Gateways read from the Redis membership table the silos register in
    /// (<see cref="GridClientOptions.RedisConnectionString"/>).
    /// </summary>
    Redis,
}
