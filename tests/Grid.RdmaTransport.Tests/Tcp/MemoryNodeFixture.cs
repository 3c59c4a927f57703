using Grid.RdmaTransport.Tests.Support;
using Grid.Testing.Processes;

namespace Grid.RdmaTransport.Tests.Tcp;

/// <summary>One grid-memnode process shared by the tests that do not stop it.</summary>
public sealed class MemoryNodeFixture : IAsyncLifetime
{
    public static readonly NodeId Owner = new(7);

    public TestMemoryNode Node { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Node = await TestMemoryNode.StartAsync("--owned-region", $"{Owner.Value}:4KiB");

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
