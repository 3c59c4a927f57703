namespace Grid.Replication.Kv.Raw;

/// <summary>
/// How the RAW tables re-read a record whose header does not parse. Only a READ racing a WRITE
/// that the fabric lands in pieces smaller than the header can see that, and a later READ sees it
/// whole; a header that never parses means the region is not this table.
/// </summary>
internal static class TornReadBackoff
{
    /// <summary>Reads of one record before giving up.</summary>
    public const int Attempts = 32;

    /// <summary>Re-reads after this many go after a pause rather than a yield.</summary>
    private const int YieldingAttempts = 4;

    /// <summary>
    /// Waits before read <paramref name="attempt"/> + 1; false when <paramref name="attempt"/>
    /// reads were all there is.
    /// </summary>
    public static async ValueTask<bool> PauseAsync(int attempt)
    {
        if (attempt <= YieldingAttempts)
        {
            // Let the writer land its next piece: its continuation may be queued behind us.
            await Task.Yield();
            return true;
        }

        if (attempt <= Attempts)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(attempt, 10))).ConfigureAwait(false);
            return true;
        }

        return false;
    }
}
