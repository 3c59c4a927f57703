namespace Grid.Replication.Swarm;

/// <summary>The protocol a client runs over the same memory layout.</summary>
public enum SwarmKvMode
{
    /// <summary>Safe-Guess with In-n-Out: one roundtrip for fresh writes and current reads.</summary>
    Swarm,
    /// <summary>
    /// The DM-ABD baseline of the paper (spec §2.3, -g=false, no in-place): a write reads the
    /// timestamps, then writes above them (2 roundtrips); a read reads the timestamps, then the
    /// buffer (2), plus a write-back when the replies disagree.
    /// </summary>
    DmAbd,
}
