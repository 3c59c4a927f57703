using System.Runtime.CompilerServices;

namespace Grid.RdmaTransport;

/// <summary>
/// Applies one verb to an endpoint on behalf of an authenticated peer, as the target NIC would:
/// checks the region, the bounds, the alignment and the peer's rights, then touches memory.
/// Shared by the in-process fabric and the TCP listener so both enforce the same contract.
/// READ and WRITE are plain copies and may tear against each other (DESIGN.md, transport
/// contract); CAS and FAA are 8-byte atomics, atomic with respect to each other.
/// </summary>
internal static unsafe class VerbExecutor
{
    /// <summary>Checks everything the target checks before it touches memory.</summary>
    public static TransportError Check(
        MemoryEndpoint endpoint,
        NodeId peer,
        VerbKind kind,
        uint regionId,
        ulong offset,
        long length,
        out MemoryRegion region)
    {
        region = null!;
        if (kind == VerbKind.Send)
        {
            return endpoint.AcceptsMessages ? TransportError.None : TransportError.NotSupported;
        }

        if (!endpoint.TryGetRegion(regionId, out region))
        {
            return TransportError.UnknownRegion;
        }

        var atomic = kind is VerbKind.CompareAndSwap or VerbKind.FetchAndAdd;
        if (!region.Contains(offset, atomic ? 8 : length))
        {
            return TransportError.OutOfRange;
        }

        if (atomic && (offset & 7) != 0)
        {
            return TransportError.Unaligned;
        }

        var needed = kind switch
        {
            VerbKind.Read => AccessRights.RemoteRead,
            VerbKind.Write => AccessRights.RemoteWrite,
            _ => AccessRights.RemoteAtomic,
        };
        return (region.RightsOf(peer) & needed) == needed
            ? TransportError.None
            : TransportError.AccessDenied;
    }

    /// <summary>The clear message for a failed check; built only on the error path.</summary>
    public static string Describe(
        TransportError error,
        MemoryEndpoint endpoint,
        NodeId peer,
        VerbKind kind,
        uint regionId,
        ulong offset,
        long length) => error switch
        {
            TransportError.UnknownRegion =>
                $"{kind}: {endpoint.Id} has no region {regionId} " +
                $"({endpoint.Regions.Count} regions registered)",
            TransportError.OutOfRange =>
                $"{kind}: [{offset}, +{length}) is outside region {regionId} of " +
                $"{RegionLength(endpoint, regionId)} bytes",
            TransportError.Unaligned =>
                $"{kind}: offset {offset} in region {regionId} is not 8-byte aligned",
            TransportError.AccessDenied =>
                $"{kind}: {peer} lacks the right on region {regionId} of {endpoint.Id} " +
                $"(has {RightsOf(endpoint, regionId, peer)})",
            TransportError.NotSupported =>
                $"{kind}: {endpoint.Id} accepts no two-sided messages",
            TransportError.ReceiverNotReady =>
                $"{kind}: the receive queue of {endpoint.Id} is full",
            _ => $"{kind}: {error}",
        };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Read(MemoryRegion region, ulong offset, Span<byte> destination) =>
        new ReadOnlySpan<byte>(region.Pointer(offset), destination.Length).CopyTo(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(MemoryRegion region, ulong offset, ReadOnlySpan<byte> source) =>
        source.CopyTo(new Span<byte>(region.Pointer(offset), source.Length));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CompareAndSwap(MemoryRegion region, ulong offset, ulong expected, ulong desired) =>
        Interlocked.CompareExchange(ref region.Word(offset), desired, expected);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FetchAndAdd(MemoryRegion region, ulong offset, ulong delta) =>
        Interlocked.Add(ref region.Word(offset), delta) - delta;

    private static string RegionLength(MemoryEndpoint endpoint, uint regionId) =>
        endpoint.TryGetRegion(regionId, out var region) ? region.Length.ToString() : "?";

    private static string RightsOf(MemoryEndpoint endpoint, uint regionId, NodeId peer) =>
        endpoint.TryGetRegion(regionId, out var region) ? region.RightsOf(peer).ToString() : "?";
}
