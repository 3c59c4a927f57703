namespace Grid.Replication.Swarm;

/// <summary>
/// A whole, checksum-verified copy of a write's buffer: its predecessor word, its value, and
/// the bytes from <c>prev</c> on, which a reader writes back to nodes that may lack them
/// (never the validator word, which only CAS changes).
/// </summary>
internal sealed record BufferCopy(ulong Prev, byte[] Value, byte[] ImageFromPrev);
