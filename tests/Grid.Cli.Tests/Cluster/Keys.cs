using System.Text;

namespace Grid.Cli.Tests.Cluster;

/// <summary>Names no other test (or earlier run against the same silo) uses.</summary>
internal static class Keys
{
    public static string New(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>
    /// A new name padded with <paramref name="padding"/> to exactly <paramref name="utf8Bytes"/>
    /// bytes of UTF-8 (ASCII 'x' fills a remainder the padding does not fit).
    /// </summary>
    public static string NewOfBytes(string prefix, int utf8Bytes, char padding = 'é')
    {
        var name = new StringBuilder(New(prefix));
        var bytes = Encoding.UTF8.GetByteCount(name.ToString());
        var paddingBytes = Encoding.UTF8.GetByteCount([padding]);
        for (; bytes + paddingBytes <= utf8Bytes; bytes += paddingBytes)
        {
            name.Append(padding);
        }

        name.Append('x', utf8Bytes - bytes);
        return name.ToString();
    }
}
