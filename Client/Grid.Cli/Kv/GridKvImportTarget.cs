using Grid.Client;

namespace Grid.Cli.Kv;

/// <summary>An <see cref="IKvImportTarget"/> over a <see cref="GridClient"/> it owns.</summary>
internal sealed class GridKvImportTarget : IKvImportTarget
{
    private readonly GridClient _client;

    public GridKvImportTarget(GridClient client) => _client = client;

    public Task<long> PutAsync(string key, byte[] value) => _client.Kv.PutAsync(key, value);

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
