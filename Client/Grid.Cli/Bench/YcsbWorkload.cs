using System.Text;

namespace Grid.Cli.Bench;

/// <summary>
/// The YCSB core workloads the SWARM paper runs (spec swarm.md §5): A = 50% reads / 50%
/// updates, B = 95% / 5%, keys drawn by <see cref="ScrambledZipfianGenerator"/>.
/// </summary>
internal sealed record YcsbWorkload(string Name, double ReadProportion)
{
    /// <summary>Bytes of every key, as in the paper (24-byte keys).</summary>
    public const int KeyBytes = 24;

    public static readonly YcsbWorkload A = new("a", 0.5);

    public static readonly YcsbWorkload B = new("b", 0.95);

    public static YcsbWorkload Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "a" => A,
        "b" => B,
        _ => throw new FormatException($"--workload '{name}' is not a or b (YCSB A: 50% reads, B: 95%)"),
    };

    /// <summary>Key n: "user" and n in 20 digits, 24 ASCII bytes.</summary>
    public static byte[] Key(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return Encoding.ASCII.GetBytes($"user{n:D20}");
    }
}
