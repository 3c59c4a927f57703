namespace Grid.Cli.Kv;

/// <summary>
/// How hard <see cref="KvImporter"/> tries. A key is retried for up to <see cref="KeyTimeout"/>
/// (across silo failovers and reconnections), each attempt bounded by
/// <see cref="AttemptTimeout"/>; after <see cref="ConsecutiveFailedKeysMax"/> keys in a row
/// failed the import gives up instead of spending a key timeout on every remaining line.
/// </summary>
internal sealed record KvImportSettings(
    TimeSpan KeyTimeout,
    TimeSpan AttemptTimeout,
    int ConsecutiveFailedKeysMax = 10)
{
    /// <summary>
    /// The first pause after a failed attempt; it doubles up to <see cref="RetryDelayMax"/>.
    /// </summary>
    public TimeSpan RetryDelayMin { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan RetryDelayMax { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed attempts on one connection after which a new one replaces it.</summary>
    public int FailuresBeforeReconnect { get; init; } = 3;
}
