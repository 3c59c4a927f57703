namespace Grid.Cli.Tests.Cluster;

/// <summary>One silo shared by the tests of <see cref="SiloCollection"/>.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public LocalSilo Silo { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Silo = await LocalSilo.StartAsync("test-silo-1");

    public async ValueTask DisposeAsync() => await Silo.DisposeAsync();
}
