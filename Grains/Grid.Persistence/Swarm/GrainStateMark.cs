namespace Grid.Persistence.Swarm;

/// <summary>
/// What a silo last knew of one grain's stored state: its ETag (null: no record) and
/// <see cref="Seen"/>, the highest SWARM write identity of the key observed by this silo's
/// last read or write of it. A later write that observes another writer above
/// <see cref="Seen"/> has met a second activation.
/// </summary>
internal readonly record struct GrainStateMark(string? Etag, ulong Seen);
