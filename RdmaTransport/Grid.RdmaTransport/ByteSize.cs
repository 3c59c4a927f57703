using System.Globalization;

namespace Grid.RdmaTransport;

/// <summary>Parses and prints sizes such as <c>64MiB</c>, <c>4KiB</c>, <c>1GB</c> or <c>4096</c>.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1),
    ];

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        var factor = 1L;
        foreach (var (suffix, value) in Suffixes)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = value;
                break;
            }
        }

        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue / factor)
        {
            return false;
        }

        bytes = number * factor;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var bytes)
            ? bytes
            : throw new FormatException($"'{text}' is not a size (examples: 4096, 64KiB, 64MiB, 1GiB)");

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30}GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20}MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10}KiB",
        _ => $"{bytes}B",
    };
}
