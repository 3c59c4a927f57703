using System.Text;

namespace Grid.Replication.Kv;

/// <summary>String keys and values as UTF-8.</summary>
public static class KeyValueStoreExtensions
{
    public static Task<KvReadResult> GetAsync(this IKeyValueStore store, string key)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetAsync(Encoding.UTF8.GetBytes(key));
    }

    public static Task<KvWriteResult> PutAsync(this IKeyValueStore store, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
    }

    public static Task<KvWriteResult> DeleteAsync(this IKeyValueStore store, string key)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.DeleteAsync(Encoding.UTF8.GetBytes(key));
    }
}
