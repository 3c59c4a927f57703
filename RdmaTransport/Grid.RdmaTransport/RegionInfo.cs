namespace Grid.RdmaTransport;

/// <summary>
/// What an initiator knows of a remote region: its id, its size and the rights the target
/// granted this initiator when it connected (rights may change afterwards).
/// </summary>
public readonly record struct RegionInfo(uint Id, long Length, AccessRights Rights);
