namespace Grid.Client.Status;

/// <summary>
/// One silo as the cluster's membership table records it. <see cref="Status"/> is Orleans'
/// SiloStatus name (Active, Joining, ShuttingDown, Dead, ...). Name, host, gateway port and times
/// are null when the cluster only reported addresses.
/// </summary>
public sealed record SiloInfo(
    string Address,
    string Status,
    string? Name,
    string? HostName,
    int? GatewayPort,
    DateTimeOffset? StartedAt,
    DateTimeOffset? LastHeartbeatAt)
{
    public bool IsActive => Status == "Active";
}
