using System.Text.Json;
using Grid.Client.Status;

namespace Grid.Cli.Output;

/// <summary>
/// <c>grid status</c>: the silos, and grid-silo's health document as it came (null, with the
/// reason in <see cref="HealthError"/>, when it did not answer).
/// </summary>
internal sealed record StatusJson(
    IReadOnlyList<SiloInfo> Silos, string HealthUrl, JsonElement? Health, string? HealthError);
