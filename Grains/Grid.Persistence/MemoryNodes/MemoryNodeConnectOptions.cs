using Grid.RdmaTransport;
using Microsoft.Extensions.Logging;

namespace Grid.Persistence.MemoryNodes;

/// <summary>What a <see cref="IMemoryNodeSource"/> needs to connect a client to its memory nodes.</summary>
/// <param name="RegionBytes">The size of region 0 the client's layout needs on every node.</param>
/// <param name="MembershipOffset">Where in region 0 the membership record lies (<see cref="Grid.Replication.Common.MemoryNodeMembership"/>).</param>
/// <param name="Reconnect">How lost connections are redialed (a source may raise the skew allowance to its nodes').</param>
/// <param name="Logger">Where the connections' losses, re-admissions and refusals are logged.</param>
public sealed record MemoryNodeConnectOptions(long RegionBytes, ulong MembershipOffset, ReconnectOptions Reconnect, ILogger Logger);
