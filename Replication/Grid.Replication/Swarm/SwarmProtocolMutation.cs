namespace Grid.Replication.Swarm;

/// <summary>
/// Planted bugs for the simulation tests: each flips one rule of spec §2.4, so a test can show
/// that the checker catches the violation it causes. Never set outside tests.
/// </summary>
internal enum SwarmProtocolMutation
{
    None,
    /// <summary>The writer returns after RTT1 even when its guess was stale.</summary>
    StaleGuessTreatedAsFresh,
    /// <summary>A reader returns an unverified maximum without pinning it.</summary>
    ReaderSkipsPin,
}
