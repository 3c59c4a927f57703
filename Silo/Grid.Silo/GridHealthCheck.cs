using System.Text.Json;
using Grid.Persistence.Swarm;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Storage;

namespace Grid.Silo;

/// <summary>
/// /health: healthy when the SWARM storage is connected and every memory node answers, degraded
/// when only a majority does (writes still succeed, one more failure would stop them), unhealthy
/// otherwise. The JSON body lists the silo and each memory node.
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
            ["writerId"] = options.WriterId,
        };
        if (storage is null || !storage.IsConnected)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("SWARM storage is not connected", data: data));
        }

        var nodes = storage.MemoryNodeHealth;
        data["memoryNodes"] = nodes;
        var reachable = nodes.Count(n => n.Reachable);
        var result = reachable == nodes.Count
            ? HealthCheckResult.Healthy($"{reachable} of {nodes.Count} memory nodes reachable", data)
            : reachable > nodes.Count / 2
                ? HealthCheckResult.Degraded($"{reachable} of {nodes.Count} memory nodes reachable; a majority is enough", data: data)
                : HealthCheckResult.Unhealthy($"{reachable} of {nodes.Count} memory nodes reachable; a majority is needed", data: data);
        return Task.FromResult(result);
    }

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
                    case IReadOnlyList<Grid.Persistence.MemoryNodes.MemoryNodeHealth> nodes:
                        json.WriteStartArray(key);
                        foreach (var node in nodes)
                        {
                            json.WriteStartObject();
                            json.WriteString("name", node.Name);
                            json.WriteString("state", node.State.ToString().ToLowerInvariant());
                            json.WriteBoolean("reachable", node.Reachable);
                            json.WriteEndObject();
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
