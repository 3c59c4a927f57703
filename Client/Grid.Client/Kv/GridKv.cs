using System.Text;
using Grid.Grains.Kv;

namespace Grid.Client.Kv;

/// <summary>
/// The grid's key-value store: one <see cref="IKvGrain"/> per key. Values are bytes (strings are
/// stored as UTF-8); every put or delete bumps the key's version.
/// </summary>
public sealed class GridKv
{
    private readonly IGrainFactory _grains;

    public GridKv(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

    /// <summary>The value and its version (<see cref="KvEntry.Exists"/> false if absent).</summary>
    public Task<KvEntry> GetAsync(string key)
    {
        GridValidation.Key(key, nameof(key));
        return Grain(key).Get();
    }

    /// <summary>Stores <paramref name="value"/> and returns the key's new version.</summary>
    public Task<long> PutAsync(string key, byte[] value)
    {
        GridValidation.Key(key, nameof(key));
        GridValidation.Value(value, nameof(value));
        return Grain(key).Put(value);
    }

    /// <summary>Stores <paramref name="value"/> as UTF-8; returns the key's new version.</summary>
    public Task<long> PutAsync(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return PutAsync(key, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Removes the value; true if there was one.</summary>
    public Task<bool> DeleteAsync(string key)
    {
        GridValidation.Key(key, nameof(key));
        return Grain(key).Delete();
    }

    /// <summary>The key's version: 0 for a key never written.</summary>
    public Task<long> VersionAsync(string key)
    {
        GridValidation.Key(key, nameof(key));
        return Grain(key).GetVersion();
    }

    private IKvGrain Grain(string key) => _grains.GetGrain<IKvGrain>(key);
}
