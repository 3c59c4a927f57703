namespace Grid.Replication.Swarm;

/// <summary>
/// A write that failed mid-way (<see cref="SwarmObjectState.Unsettled"/>): its word, its
/// buffer, and the buffer image (from prev on), so that keeping it can put the image on a
/// majority again. A verified word was published above everything seen and is always kept; an
/// unverified guess goes through the validator race like a stale guess.
/// </summary>
internal sealed record UnsettledWrite(ulong Word, ulong Prev, uint BufferId, byte[] Image)
{
    /// <summary>When the write failed (monotonic timestamp).</summary>
    public long At { get; init; }

    /// <summary>The value bytes inside the image.</summary>
    public ReadOnlyMemory<byte> Value => Image.AsMemory(SwarmLayout.BufferHeaderBytes - SwarmLayout.PrevOffset);
}
