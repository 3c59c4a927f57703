namespace Grid.Cli.Kv;

/// <summary>
/// Where <see cref="KvImporter"/> writes: one connection to the grid. The importer drops a
/// target that keeps failing and asks for a new one.
/// </summary>
internal interface IKvImportTarget : IAsyncDisposable
{
    /// <summary>Stores the value and returns the key's new version.</summary>
    Task<long> PutAsync(string key, byte[] value);
}
