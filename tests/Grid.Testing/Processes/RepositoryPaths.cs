namespace Grid.Testing.Processes;

/// <summary>
/// Where the repository's programs are built, for tests that run them as processes: each in its
/// own project's output folder, in the configuration the tests were built in.
/// </summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Debug" or "Release": the tests' own configuration (…/bin/CONFIG/net10.0/).</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string GridSilo => Program("Silo/Grid.Silo", "grid-silo");

    public static string GridCli => Program("Client/Grid.Cli", "grid");

    public static string GridMemoryNode => Program("RdmaTransport/Grid.MemoryNode", "grid-memnode");

    private static string Program(string project, string assembly) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", assembly + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Grid.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Grid.sln above {AppContext.BaseDirectory}");
    }
}
