namespace Grid.Cli.Tests.Cluster;

/// <summary>Names no other test (or earlier run against the same silo) uses.</summary>
internal static class Keys
{
    public static string New(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
