namespace Grid.Cli.Tests.Cluster;

/// <summary>
/// One two-silo cluster shared by the tests of <see cref="SiloCollection"/>: both silos host the
/// grid's grains over one set of embedded memory nodes, so a grain may activate on either and a
/// client may enter through either gateway. Tests share it, so each uses its own keys.
/// </summary>
public sealed class SiloFixture : IAsyncLifetime
{
    /// <summary>The primary silo, "test-silo-1" (gateway A).</summary>
    public LocalSilo Silo { get; private set; } = null!;

    /// <summary>The second silo, "test-silo-2" (gateway B).</summary>
    public LocalSilo SecondSilo { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Silo = await LocalSilo.StartAsync("test-silo-1");
        SecondSilo = await LocalSilo.StartAsync("test-silo-2", Silo);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (SecondSilo is not null)
            {
                await SecondSilo.DisposeAsync();
            }
        }
        finally
        {
            if (Silo is not null)
            {
                await Silo.DisposeAsync();
            }
        }
    }
}
