using Grid.RdmaTransport;

namespace Grid.Replication.Common;

/// <summary>One node's place in the membership record.</summary>
/// <param name="Member">
/// The memory the record names for the node (a majority of its words), which is the only one that
/// may ever be counted; null when the record names none.
/// </param>
/// <param name="Refusal">
/// Why the node must not be counted as it is now (another cluster, other memory than the record
/// names, or no memory named); null when it may be: it answered with <paramref name="Member"/>, or
/// it did not answer and may be admitted once it does with that memory.
/// </param>
public sealed record MembershipVerdict(MemoryNodeIdentity? Member, string? Refusal);
