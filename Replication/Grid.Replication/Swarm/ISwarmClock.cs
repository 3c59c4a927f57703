namespace Grid.Replication.Swarm;

/// <summary>
/// The physical clock behind timestamp guesses, in timestamp units since the cluster's epoch.
/// Only performance depends on it (spec §1): a skewed clock makes guesses stale, never results
/// wrong. Tests inject skewed or frozen clocks to force the stale paths.
/// </summary>
public interface ISwarmClock
{
    ulong Now();
}
