namespace Grid.Replication.Swarm;

/// <summary>
/// A writer id's lease word on one memory node: <c>holder:32 | expires:32</c>, the holder a
/// random token of one acquisition and the expiry in Unix seconds (good until 2106). 0: never
/// leased, or released.
/// </summary>
internal static class LeaseWord
{
    public static ulong Make(uint holder, long expiresUnixSeconds)
    {
        if (holder == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(holder), "holder tokens are never 0");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expiresUnixSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expiresUnixSeconds, uint.MaxValue);
        return ((ulong)holder << 32) | (uint)expiresUnixSeconds;
    }

    public static uint Holder(ulong word) => (uint)(word >> 32);

    /// <summary>
    /// The first whole Unix second at or after <paramref name="time"/>: an expiry is rounded up, so
    /// a lease lasts at least its duration by the holder's clock. Rounded down it lost up to a
    /// second, which a renewal schedule of a third of the duration cannot spare (README, "Writer ids").
    /// </summary>
    public static long SecondsAtOrAfter(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks / TimeSpan.TicksPerSecond + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
    }

    public static long Expires(ulong word) => (uint)word;

    /// <summary>Whether anyone may take the id on this node's say: never leased, released, or expired for longer than the skew allowance.</summary>
    public static bool IsFree(ulong word, long nowUnixSeconds, long skewSeconds) =>
        word == 0 || Expires(word) + skewSeconds < nowUnixSeconds;

    public static string Describe(ulong word) =>
        word == 0 ? "free" : $"holder {Holder(word):x8} until {DateTimeOffset.FromUnixTimeSeconds(Expires(word)):u}";
}
