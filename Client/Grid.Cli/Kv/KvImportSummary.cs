namespace Grid.Cli.Kv;

/// <summary>
/// What an import did: lines read, writes acknowledged (each printed as "ok KEY VERSION"), lines
/// that failed (bad line, bad key or value, or no acknowledgement within the key timeout), and
/// whether it stopped early after too many failures in a row.
/// </summary>
internal sealed record KvImportSummary(long Lines, long Written, long Failed, bool GaveUp);
