using Grid.Testing.Linearizability;

namespace Grid.Simulation.Tests.Checker;

/// <summary>
/// Short constructors so hand-written histories read like the timelines they encode.
/// </summary>
internal static class HistoryOps
{
    public const long Pending = HistoryOperation.NeverReturned;

    public static HistoryOperation Write(
        int client, string key, string value, long call, long ret) =>
        new(client, key, OperationKind.Write, value, call, ret);

    public static HistoryOperation Read(
        int client, string key, string? value, long call, long ret) =>
        new(client, key, OperationKind.Read, value, call, ret);

    public static HistoryOperation Delete(int client, string key, long call, long ret) =>
        new(client, key, OperationKind.Delete, null, call, ret);
}
