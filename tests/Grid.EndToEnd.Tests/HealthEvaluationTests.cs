using System.Text.Json;
using Grid.Persistence.MemoryNodes;
using Grid.RdmaTransport;
using Grid.Silo;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grid.EndToEnd.Tests;

/// <summary>What /health says for memory-node reachability, the SWARM timestamp refresh and the writer id.</summary>
public sealed class HealthEvaluationTests
{
    [Theory]
    [InlineData(3, 3, 0.5, HealthStatus.Healthy, "3 of 3 memory nodes reachable")]
    [InlineData(2, 3, 0.5, HealthStatus.Degraded, "2 of 3 memory nodes reachable; a majority is enough")]
    [InlineData(1, 3, 0.5, HealthStatus.Unhealthy, "1 of 3 memory nodes reachable; a majority is needed")]
    [InlineData(3, 3, 2.0, HealthStatus.Healthy, "3 of 3 memory nodes reachable")]
    [InlineData(2, 3, 2.5, HealthStatus.Degraded, "a majority is enough; no SWARM timestamp refresh has finished for 2h 30m: writes fail after 4h 0m")]
    [InlineData(1, 3, 2.5, HealthStatus.Unhealthy, "a majority is needed; no SWARM timestamp refresh has finished for 2h 30m")]
    [InlineData(3, 3, 4.25, HealthStatus.Unhealthy, "no SWARM timestamp refresh has finished for 4h 15m: writes fail until one does")]
    public void Status_and_description(int reachable, int nodes, double sinceRefreshHours, HealthStatus status, string expected)
    {
        var (actual, description) = GridHealthCheck.Evaluate(
            reachable, nodes, TimeSpan.FromHours(sinceRefreshHours), TimeSpan.FromHours(4));

        Assert.Equal(status, actual);
        Assert.Contains(expected, description, StringComparison.Ordinal);
    }

    [Fact]
    public void No_refresh_known_yet_leaves_the_memory_node_verdict()
    {
        Assert.Equal(HealthStatus.Healthy, GridHealthCheck.Evaluate(3, 3, null, null).Status);
    }

    [Fact]
    public void A_lost_writer_id_makes_the_silo_unhealthy_and_an_expired_lease_degraded()
    {
        var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        const string Nodes = "3 of 3 memory nodes reachable";

        Assert.Equal((HealthStatus.Healthy, Nodes),
            GridHealthCheck.EvaluateWriter(HealthStatus.Healthy, Nodes, 1, null, now.AddSeconds(20), now));
        Assert.Equal((HealthStatus.Healthy, Nodes),
            GridHealthCheck.EvaluateWriter(HealthStatus.Healthy, Nodes, 1, null, null, now));

        var expired = GridHealthCheck.EvaluateWriter(HealthStatus.Healthy, Nodes, 3, null, now.AddSeconds(-1), now);
        Assert.Equal(HealthStatus.Degraded, expired.Status);
        Assert.Contains("the lease of writer id 3 expired at 2026-12-04 11:59:59Z", expired.Description, StringComparison.Ordinal);

        // An expired lease does not soften a worse verdict.
        Assert.Equal(HealthStatus.Unhealthy,
            GridHealthCheck.EvaluateWriter(HealthStatus.Unhealthy, Nodes, 3, null, now.AddSeconds(-1), now).Status);

        var lost = GridHealthCheck.EvaluateWriter(HealthStatus.Healthy, Nodes, 2, "the lease of writer id 2 was lost: taken", now.AddSeconds(20), now);
        Assert.Equal(HealthStatus.Unhealthy, lost.Status);
        Assert.Contains("SWARM writes fail: the lease of writer id 2 was lost", lost.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_nodes_not_counted_are_named_in_the_description()
    {
        var next = new DateTimeOffset(2026, 12, 4, 12, 0, 1, TimeSpan.Zero);
        IReadOnlyList<MemoryNodeHealth> nodes =
        [
            new("127.0.0.1:7101", QueuePairState.Ready, Status(ReconnectState.Connected)),
            new("127.0.0.1:7102", QueuePairState.Closed, Status(ReconnectState.Reconnecting, attempts: 3, next: next)),
            new("127.0.0.1:7103", QueuePairState.Closed, Status(ReconnectState.NeedsRebuild, seen: Incarnation2)),
        ];

        Assert.Equal("127.0.0.1:7102 reconnecting (attempt 3); 127.0.0.1:7103 needs-rebuild", GridHealthCheck.NodeNotes(nodes));
        Assert.Null(GridHealthCheck.NodeNotes([nodes[0]]));
    }

    [Fact]
    public void Each_memory_node_reports_its_connection_in_the_health_document()
    {
        var next = new DateTimeOffset(2026, 12, 4, 12, 0, 1, TimeSpan.Zero);
        var reconnecting = Json(new("127.0.0.1:7102", QueuePairState.Closed,
            Status(ReconnectState.Reconnecting, attempts: 3, next: next, detail: "cannot connect to 127.0.0.1:7102: Connection refused")));
        var refused = Json(new("127.0.0.1:7103", QueuePairState.Closed,
            Status(ReconnectState.NeedsRebuild, seen: Incarnation2, detail: "it came back with memory incarnation 0000000000000002")));
        var connected = Json(new("127.0.0.1:7101", QueuePairState.Ready, Status(ReconnectState.Connected, reconnects: 2)));

        Assert.Equal("reconnecting", reconnecting.GetProperty("connection").GetString());
        Assert.False(reconnecting.GetProperty("reachable").GetBoolean());
        Assert.Equal(3, reconnecting.GetProperty("attempts").GetInt32());
        Assert.Equal("2026-12-04T12:00:01.0000000+00:00", reconnecting.GetProperty("nextAttempt").GetString());
        Assert.Contains("Connection refused", reconnecting.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("needs-rebuild", refused.GetProperty("connection").GetString());
        Assert.Equal("0000000000000001", refused.GetProperty("incarnation").GetString());
        Assert.Equal("0000000000000002", refused.GetProperty("seenIncarnation").GetString());
        Assert.Equal("connected", connected.GetProperty("connection").GetString());
        Assert.True(connected.GetProperty("reachable").GetBoolean());
        Assert.Equal(2, connected.GetProperty("reconnects").GetInt32());
        Assert.Equal(JsonValueKind.Null, connected.GetProperty("detail").ValueKind);
        Assert.False(connected.TryGetProperty("seenIncarnation", out _));
    }

    private static readonly MemoryNodeIdentity Incarnation1 = new("grid", 1);
    private static readonly MemoryNodeIdentity Incarnation2 = new("grid", 2);

    private static ReconnectStatus Status(
        ReconnectState state, int attempts = 0, long reconnects = 0, string? detail = null,
        MemoryNodeIdentity? seen = null, DateTimeOffset? next = null) =>
        new(state, attempts, reconnects, detail, Incarnation1, seen ?? Incarnation1, next);

    private static JsonElement Json(MemoryNodeHealth node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            GridHealthCheck.WriteMemoryNode(writer, node);
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    [Theory]
    [InlineData(19.0 * 3600 + 5 * 60, "19h 5m")]
    [InlineData(42 * 60 + 10, "42m 10s")]
    [InlineData(3 * 86400 + 7200, "3d 2h")]
    public void Headrooms_read_like_durations(double seconds, string expected)
    {
        Assert.Equal(expected, GridHealthCheck.Describe(TimeSpan.FromSeconds(seconds)));
        Assert.Equal("more than 10,000 days", GridHealthCheck.Describe(TimeSpan.MaxValue));
    }
}
