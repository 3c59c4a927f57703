using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Grid.RdmaTransport;

/// <summary>
/// A registered block of native memory, 64-byte aligned and zeroed, that remote peers access
/// with one-sided verbs under per-peer rights. Rights can be changed at run time (Mu's permission
/// switch, uBFT's owner-only registers); a change applies to every op that starts after it.
/// The memory lives until its <see cref="MemoryEndpoint"/> is disposed.
/// </summary>
public sealed unsafe class MemoryRegion
{
    public const int Alignment = 64;

    private readonly byte* _allocation;
    private readonly byte* _base;
    private ImmutableDictionary<NodeId, AccessRights> _grants =
        ImmutableDictionary<NodeId, AccessRights>.Empty;
    private volatile AccessRights _defaultRights;
    private int _freed;

    internal MemoryRegion(uint id, long length, AccessRights defaultRights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 8L);
        Id = id;
        Length = length;
        _defaultRights = defaultRights;
        // calloc rather than aligned alloc + clear: for large regions the allocator maps fresh
        // zero pages, so a region costs resident memory only where it is written (an embedded
        // silo's three SWARM nodes would otherwise commit their whole layout at start).
        _allocation = (byte*)NativeMemory.AllocZeroed((nuint)length + Alignment);
        _base = (byte*)(((nuint)_allocation + Alignment - 1) & ~(nuint)(Alignment - 1));
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

    internal void Free()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
        {
            NativeMemory.Free(_allocation);
        }
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
