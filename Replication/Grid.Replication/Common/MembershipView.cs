namespace Grid.Replication.Common;

/// <summary>What <see cref="MemoryNodeMembership.ResolveAsync"/> found.</summary>
/// <param name="ClusterId">The cluster a majority of the nodes belongs to; null when none.</param>
/// <param name="Nodes">Per node, in the cluster's order: whether it may be counted.</param>
/// <param name="Formed">True when this call wrote words of the record (formed or completed it).</param>
/// <param name="LatestDeadline">The latest deadline of the batches it posted (none: the minimum).</param>
public sealed record MembershipView(
    string? ClusterId, IReadOnlyList<MembershipVerdict> Nodes, bool Formed, DateTimeOffset LatestDeadline);
