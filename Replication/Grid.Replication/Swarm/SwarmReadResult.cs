namespace Grid.Replication.Swarm;

/// <summary>
/// What a read returned: the value (null when the object was never written) and the
/// roundtrips on its critical path.
/// </summary>
public readonly record struct SwarmReadResult(byte[]? Value, int Roundtrips, bool FromInPlace);
