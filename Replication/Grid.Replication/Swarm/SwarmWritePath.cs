namespace Grid.Replication.Swarm;

/// <summary>Which branch of the write of spec §2.4 ran.</summary>
public enum SwarmWritePath
{
    /// <summary>The guess beat everything read: one roundtrip.</summary>
    Fresh,
    /// <summary>The guess was stale but a reader had pinned it: kept and verified.</summary>
    Kept,
    /// <summary>The guess was stale and withdrawn: written again under a verified timestamp.</summary>
    Retried,
}
