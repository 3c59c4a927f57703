using System.Text.Json;
using Grid.Persistence.MemoryNodes;
using Grid.Persistence.Swarm;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Storage;

namespace Grid.Silo;

/// <summary>
/// /health: healthy when the SWARM storage is connected and every memory node answers. Degraded
/// when only a majority does (writes still succeed, one more failure would stop them), when the
/// silo's writer lease has expired unrenewed, or when SWARM's timestamp refresh is half way to
/// its deadline. Unhealthy when fewer answer, the silo's writer id was taken from it, or the
/// refresh is past its deadline (writes fail). The JSON body lists the silo, its writer id, each
/// memory node with its connection and how long ago the last timestamp refresh began. The
/// description names the nodes not counted and why (reconnecting, needs rebuild).
/// </summary>
public sealed class GridHealthCheck(IServiceProvider services, ILocalSiloDetails silo, GridSiloOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var storage = services.GetKeyedService<IGrainStorage>(GridSiloHost.StorageName) as SwarmGrainStorage;
        var data = new Dictionary<string, object>
        {
            ["silo"] = silo.Name,
            ["siloAddress"] = silo.SiloAddress.ToString(),
            ["gateway"] = silo.GatewayAddress?.ToString() ?? "",
        };
        if (storage is null || !storage.IsConnected)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("SWARM storage is not connected", data: data));
        }

        data["writerId"] = storage.WriterId ?? 0;
        data["writerIdSource"] = options.WriterId == 0 ? "leased" : "configured";
        var nodes = storage.MemoryNodeHealth;
        data["memoryNodes"] = nodes;
        var sinceRefresh = storage.SinceTimestampRefresh;
        if (sinceRefresh is { } since)
        {
            data["timestampRefresh"] = $"{Describe(since)} ago";
        }

        var (status, description) = Evaluate(
            nodes.Count(n => n.Reachable), nodes.Count, sinceRefresh, storage.TimestampRefreshDeadline);
        if (NodeNotes(nodes) is { } notes)
        {
            description = $"{description} ({notes})";
        }

        if (storage.WriterLeaseExpiresAt is { } expires)
        {
            data["writerLeaseExpires"] = expires.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
        }

        (status, description) = EvaluateWriter(status, description, storage.WriterId, storage.WriterIdProblem,
            storage.WriterLeaseExpiresAt, DateTimeOffset.UtcNow);
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }

    /// <summary>
    /// The status from what the silo sees: memory nodes (all reachable: healthy; a majority:
    /// degraded; fewer: unhealthy) and SWARM's timestamp refresh (more than half its deadline
    /// ago: degraded; past it: unhealthy, since every write then fails until one finishes).
    /// </summary>
    public static (HealthStatus Status, string Description) Evaluate(
        int reachable, int nodes, TimeSpan? sinceRefresh, TimeSpan? refreshDeadline)
    {
        var (status, description) = reachable == nodes
            ? (HealthStatus.Healthy, $"{reachable} of {nodes} memory nodes reachable")
            : reachable > nodes / 2
                ? (HealthStatus.Degraded, $"{reachable} of {nodes} memory nodes reachable; a majority is enough")
                : (HealthStatus.Unhealthy, $"{reachable} of {nodes} memory nodes reachable; a majority is needed");
        if (sinceRefresh is not { } since || refreshDeadline is not { } deadline || since <= deadline / 2)
        {
            return (status, description);
        }

        if (since > deadline)
        {
            return (HealthStatus.Unhealthy,
                $"{description}; no SWARM timestamp refresh has finished for {Describe(since)}: writes fail until " +
                "one does, which needs every memory node");
        }

        return (status == HealthStatus.Unhealthy ? status : HealthStatus.Degraded,
            $"{description}; no SWARM timestamp refresh has finished for {Describe(since)}: writes fail after " +
            $"{Describe(deadline)} (a refresh needs every memory node)");
    }

    /// <summary>
    /// The status after the silo's writer id: unhealthy when it was taken and writes fail
    /// (<see cref="SwarmGrainStorage.WriterIdProblem"/>); degraded, if otherwise healthy, when its
    /// lease expired unrenewed: writes are still safe (the incarnation check), but another silo may
    /// take the id.
    /// </summary>
    public static (HealthStatus Status, string Description) EvaluateWriter(
        HealthStatus status, string description, int? writerId, string? writerIdProblem, DateTimeOffset? leaseExpiresAt, DateTimeOffset now)
    {
        if (writerIdProblem is not null)
        {
            return (HealthStatus.Unhealthy, $"{description}; SWARM writes fail: {writerIdProblem}");
        }

        if (leaseExpiresAt is { } expires && expires < now && status == HealthStatus.Healthy)
        {
            return (HealthStatus.Degraded,
                $"{description}; the lease of writer id {writerId} expired at {expires:u} and is not being renewed");
        }

        return (status, description);
    }

    /// <summary>
    /// The memory nodes that are not counted now, and why in a word: "127.0.0.1:7102 reconnecting
    /// (attempt 3); 127.0.0.1:7103 needs-rebuild". Null when every node is counted.
    /// </summary>
    public static string? NodeNotes(IReadOnlyList<MemoryNodeHealth> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var notes = nodes.Select(n => n.Note).OfType<string>().ToList();
        return notes.Count == 0 ? null : string.Join("; ", notes);
    }

    /// <summary>
    /// One memory node in the /health document: name, queue-pair state, whether it is counted, and
    /// where its connection stands (<c>connection</c>: connected, reconnecting, draining,
    /// needs-rebuild, refused, closed), failed attempts, reconnects, why it is not connected, the
    /// incarnation it is counted with and, when refused, the one it answered with.
    /// </summary>
    public static void WriteMemoryNode(Utf8JsonWriter json, MemoryNodeHealth node)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(node);
        json.WriteStartObject();
        json.WriteString("name", node.Name);
        json.WriteString("state", node.State.ToString().ToLowerInvariant());
        json.WriteBoolean("reachable", node.Reachable);
        json.WriteString("connection", node.ConnectionState);
        if (node.Connection is { } connection)
        {
            json.WriteNumber("attempts", connection.Attempts);
            json.WriteNumber("reconnects", connection.Reconnects);
            json.WriteString("detail", connection.Detail);
            json.WriteString("incarnation", connection.Admitted?.IncarnationText);
            if (connection.Seen is { } seen && seen != connection.Admitted)
            {
                json.WriteString("seenIncarnation", seen.IncarnationText);
                json.WriteString("seenCluster", seen.ClusterId);
            }

            if (node.Rebuild is { } rebuild)
            {
                json.WriteString("rebuild", rebuild);
            }

            if (connection.NextAttemptAt is { } next)
            {
                json.WriteString("nextAttempt", next.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        json.WriteEndObject();
    }

    /// <summary>A duration for people: "19h 5m", "42m 10s", "more than 10,000 days".</summary>
    public static string Describe(TimeSpan duration) => duration switch
    {
        { TotalDays: > 10_000 } => "more than 10,000 days",
        { TotalDays: >= 1 } => $"{(int)duration.TotalDays}d {duration.Hours}h",
        { TotalHours: >= 1 } => $"{(int)duration.TotalHours}h {duration.Minutes}m",
        _ => $"{duration.Minutes}m {duration.Seconds}s",
    };

    /// <summary>Writes the report as JSON: status, description, silo and memory nodes.</summary>
    public static async Task WriteResponseAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString().ToLowerInvariant());
        foreach (var (_, entry) in report.Entries)
        {
            json.WriteString("description", entry.Description);
            foreach (var (key, value) in entry.Data)
            {
                switch (value)
                {
                    case IReadOnlyList<MemoryNodeHealth> nodes:
                        json.WriteStartArray(key);
                        foreach (var node in nodes)
                        {
                            WriteMemoryNode(json, node);
                        }

                        json.WriteEndArray();
                        break;
                    case int number:
                        json.WriteNumber(key, number);
                        break;
                    default:
                        json.WriteString(key, value?.ToString());
                        break;
                }
            }
        }

        json.WriteEndObject();
    }
}
