using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.RdmaTransport;

/// <summary>
/// A registered block of native memory, 64-byte aligned and zeroed when first made, that remote
/// peers access with one-sided verbs under per-peer rights. Rights can be changed at run time
/// (Mu's permission switch, uBFT's owner-only registers); a change applies to every op that
/// starts after it. The memory is either this process's own (it lives until its
/// <see cref="MemoryEndpoint"/> is disposed) or a piece of a memory node's data file mapping
/// (it outlives the process; see <see cref="Storage.MemoryNodeDataFile"/>).
/// </summary>
public sealed unsafe class MemoryRegion
{
    public const int Alignment = 64;

    // Null when the memory is mapped from a data file: not this region's to free.
    private byte* _allocation;
    // Not readonly: a wipe (an in-process restart that loses memory) swaps in fresh memory.
    private byte* _base;
    // Allocations replaced by a wipe, freed with the region: an op that read the old base just
    // before the swap must still touch valid memory (its write is lost, as in a real restart).
    private List<nint>? _retired;
    private ImmutableDictionary<NodeId, AccessRights> _grants =
        ImmutableDictionary<NodeId, AccessRights>.Empty;
    private volatile AccessRights _defaultRights;
    private int _freed;

    /// <param name="mapped">
    /// Memory the region lives in (a data file mapping, aligned to <see cref="Alignment"/>), or
    /// zero for zeroed memory of its own.
    /// </param>
    internal MemoryRegion(uint id, long length, AccessRights defaultRights, nint mapped = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 8L);
        if (mapped % Alignment != 0)
        {
            throw new ArgumentException($"mapped memory must be {Alignment}-byte aligned", nameof(mapped));
        }

        Id = id;
        Length = length;
        _defaultRights = defaultRights;
        if (mapped != 0)
        {
            _base = (byte*)mapped;
        }
        else
        {
            _allocation = Allocate(length, out _base);
        }
    }

    public uint Id { get; }

    public long Length { get; }

    /// <summary>Rights of every peer that has no explicit grant.</summary>
    public AccessRights DefaultRights
    {
        get => _defaultRights;
        set => _defaultRights = value;
    }

    public AccessRights RightsOf(NodeId peer)
    {
        var grants = Volatile.Read(ref _grants);
        return grants.TryGetValue(peer, out var rights) ? rights : _defaultRights;
    }

    /// <summary>Sets the exact rights of one peer, overriding <see cref="DefaultRights"/>.</summary>
    public void SetRights(NodeId peer, AccessRights rights) =>
        ImmutableInterlocked.AddOrUpdate(ref _grants, peer, rights, (_, _) => rights);

    /// <summary>Drops the explicit grant of one peer: it falls back to the default rights.</summary>
    public void ClearRights(NodeId peer) => ImmutableInterlocked.TryRemove(ref _grants, peer, out _);

    /// <summary>Local (owner) access: the bytes at <paramref name="offset"/>.</summary>
    public Span<byte> GetSpan(long offset, int length)
    {
        if (!Contains((ulong)offset, length))
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), $"[{offset}, +{length}) is outside region {Id} of {Length} bytes");
        }

        return new Span<byte>(_base + offset, length);
    }

    /// <summary>Local (owner) atomic read of an aligned 8-byte word.</summary>
    public ulong ReadWord(long offset) => Volatile.Read(ref Word(CheckedWordOffset(offset)));

    /// <summary>Local (owner) atomic write of an aligned 8-byte word.</summary>
    public void WriteWord(long offset, ulong value) =>
        Volatile.Write(ref Word(CheckedWordOffset(offset)), value);

    internal bool Contains(ulong offset, long length) =>
        length >= 0 && offset <= (ulong)Length && (ulong)length <= (ulong)Length - offset;

    internal byte* Pointer(ulong offset) => _base + offset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref ulong Word(ulong offset) => ref Unsafe.AsRef<ulong>(_base + offset);

    /// <summary>True when the memory is a data file's mapping rather than the process's own.</summary>
    internal bool IsMapped => _allocation is null;

    /// <summary>
    /// Replaces the contents with zeros, as a volatile node that restarts finds its memory.
    /// Fresh zeroed memory is swapped in rather than the old cleared: clearing would commit
    /// every page of a large, mostly untouched region.
    /// </summary>
    internal void Wipe()
    {
        if (IsMapped)
        {
            throw new InvalidOperationException(
                $"region {Id} lives in a data file: its memory is the file's, not wiped by a restart");
        }

        var allocation = Allocate(Length, out var aligned);
        (_retired ??= []).Add((nint)_allocation);
        _allocation = allocation;
        // A plain store: ops racing with a restart may land on either side of it, as they may
        // race with a crash; the fabric fails every op that starts after the restart.
        _base = aligned;
    }

    internal void Free()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0 && !IsMapped)
        {
            NativeMemory.Free(_allocation);
            foreach (var retired in _retired ?? [])
            {
                NativeMemory.Free((void*)retired);
            }
        }
    }

    /// <summary>Zeroed memory for a region: returns the allocation (to free), and its aligned start.</summary>
    private static byte* Allocate(long length, out byte* aligned)
    {
        // calloc rather than aligned alloc + clear: for large regions the allocator maps fresh
        // zero pages, so a region costs resident memory only where it is written (an embedded
        // silo's three SWARM nodes would otherwise commit their whole layout at start).
        var allocation = (byte*)NativeMemory.AllocZeroed((nuint)length + Alignment);
        aligned = (byte*)(((nuint)allocation + Alignment - 1) & ~(nuint)(Alignment - 1));
        return allocation;
    }

    private ulong CheckedWordOffset(long offset)
    {
        if (offset % 8 != 0 || !Contains((ulong)offset, 8))
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), $"{offset} is not an aligned word inside region {Id}");
        }

        return (ulong)offset;
    }
}
