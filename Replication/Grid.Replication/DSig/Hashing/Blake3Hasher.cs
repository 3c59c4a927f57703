using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Grid.Replication.DSig.Hashing.Blake3Compression;

namespace Grid.Replication.DSig.Hashing;

/// <summary>
/// Incremental BLAKE3 (hash, keyed hash and key derivation; any output length), written for
/// this project: a value type with no heap state, so a hash on a hot path allocates nothing.
/// Chunks of 1,024 bytes are chained block by block; finished chunks are merged into the
/// left-complete tree with a stack of chaining values (BLAKE3 spec §2.3-§2.5). Copying a
/// hasher copies its state; pass it by reference.
/// </summary>
internal struct Blake3Hasher
{
    public const int ChunkBytes = 1024;
    public const int KeyBytes = 32;

    /// <summary>2^54 chunks of 1 KiB cover any input a span can hold, many times over.</summary>
    private const int StackDepthMax = 54;

    private Vector128<uint> _key0;
    private Vector128<uint> _key1;
    private Vector128<uint> _cv0;
    private Vector128<uint> _cv1;
    private BlockBuffer _block;
    private CvStack _stack;
    private ulong _chunkCounter;
    private uint _modeFlags;
    private int _blockLength;
    private int _blocksCompressed;
    private int _stackLength;

    private Blake3Hasher(Vector128<uint> key0, Vector128<uint> key1, uint modeFlags)
    {
        _key0 = key0;
        _key1 = key1;
        _cv0 = key0;
        _cv1 = key1;
        _modeFlags = modeFlags;
    }

    /// <summary>The plain hash mode.</summary>
    public static Blake3Hasher Create() => new(Iv0, Iv1, 0);

    /// <summary>The keyed hash mode (a MAC / PRF); the key is 32 bytes.</summary>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException("a BLAKE3 key is 32 bytes", nameof(key));
        }

        return new Blake3Hasher(Load(key), Load(key[16..]), KeyedHash);
    }

    /// <summary>
    /// The key derivation mode: the context string (hard-coded, globally unique, application
    /// specific) is hashed first; the hasher then takes the key material.
    /// </summary>
    public static Blake3Hasher CreateDeriveKey(ReadOnlySpan<byte> context)
    {
        var contextHasher = new Blake3Hasher(Iv0, Iv1, DeriveKeyContext);
        contextHasher.Update(context);
        Span<byte> contextKey = stackalloc byte[KeyBytes];
        contextHasher.Finalize(contextKey);
        return new Blake3Hasher(Load(contextKey), Load(contextKey[16..]), DeriveKeyMaterial);
    }

    /// <summary>
    /// The key derivation mode from a context key computed once (<see cref="ContextKey"/>): the
    /// same as <see cref="CreateDeriveKey"/> without hashing the context again.
    /// </summary>
    public static Blake3Hasher CreateDeriveKeyFromContextKey(ReadOnlySpan<byte> contextKey)
    {
        if (contextKey.Length != KeyBytes)
        {
            throw new ArgumentException("a BLAKE3 context key is 32 bytes", nameof(contextKey));
        }

        return new Blake3Hasher(Load(contextKey), Load(contextKey[16..]), DeriveKeyMaterial);
    }

    /// <summary>The context key of a key-derivation context string.</summary>
    public static byte[] ContextKey(ReadOnlySpan<byte> context)
    {
        var contextHasher = new Blake3Hasher(Iv0, Iv1, DeriveKeyContext);
        contextHasher.Update(context);
        var contextKey = new byte[KeyBytes];
        contextHasher.Finalize(contextKey);
        return contextKey;
    }

    /// <summary>Absorbs more input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            if ((_blocksCompressed * BlockBytes) + _blockLength == ChunkBytes)
            {
                // The chunk is full and more input follows, so it is not the root: close it.
                var cv0 = _cv0;
                var cv1 = _cv1;
                ChainingValue(ref cv0, ref cv1, _block, _chunkCounter, BlockBytes,
                    _modeFlags | ChunkEnd | StartFlag());
                AddChunkChainingValue(cv0, cv1, _chunkCounter + 1);
                _chunkCounter++;
                _cv0 = _key0;
                _cv1 = _key1;
                _blocksCompressed = 0;
                _blockLength = 0;
            }

            if (_blockLength == BlockBytes)
            {
                // A full block with more input after it is not the chunk's last: compress it.
                ChainingValue(ref _cv0, ref _cv1, _block, _chunkCounter, BlockBytes,
                    _modeFlags | StartFlag());
                _blocksCompressed++;
                _blockLength = 0;
            }

            // Whole blocks straight from the input while a later byte proves each is neither
            // the chunk's last block nor the message's.
            while (_blockLength == 0 && input.Length > BlockBytes && _blocksCompressed < (ChunkBytes / BlockBytes) - 1)
            {
                ChainingValue(ref _cv0, ref _cv1, input[..BlockBytes], _chunkCounter, BlockBytes,
                    _modeFlags | StartFlag());
                _blocksCompressed++;
                input = input[BlockBytes..];
            }

            var take = Math.Min(BlockBytes - _blockLength, input.Length);
            input[..take].CopyTo(((Span<byte>)_block)[_blockLength..]);
            _blockLength += take;
            input = input[take..];
        }
    }

    /// <summary>
    /// Writes the output (any length: the XOF, BLAKE3 spec §2.6). Does not change the hasher, so
    /// more input may follow for a longer-prefix hash.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public readonly void Finalize(Span<byte> output)
    {
        // The root node starts as the current chunk's last block ...
        Span<byte> block = stackalloc byte[BlockBytes];
        ReadOnlySpan<byte> current = _block;
        current[.._blockLength].CopyTo(block);
        block[_blockLength..].Clear();
        var cv0 = _cv0;
        var cv1 = _cv1;
        ulong counter = _chunkCounter;
        var blockLength = (uint)_blockLength;
        var flags = _modeFlags | ChunkEnd | StartFlag();

        // ... and each chaining value on the stack, newest first, becomes its left sibling.
        ReadOnlySpan<uint> stack = _stack;
        for (var i = _stackLength - 1; i >= 0; i--)
        {
            ChainingValue(ref cv0, ref cv1, block, counter, blockLength, flags);
            var left = stack.Slice(8 * i, 8);
            Store(Vector128.Create(left[..4]), block);
            Store(Vector128.Create(left[4..]), block[16..]);
            Store(cv0, block[32..]);
            Store(cv1, block[48..]);
            cv0 = _key0;
            cv1 = _key1;
            counter = 0;
            blockLength = BlockBytes;
            flags = _modeFlags | Parent;
        }

        WriteOutputBlocks(cv0, cv1, block, 0, blockLength, flags | Root, output);
    }

    /// <summary>One-shot plain hash.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var hasher = Create();
        hasher.Update(input);
        hasher.Finalize(output);
    }

    private readonly uint StartFlag() => _blocksCompressed == 0 ? ChunkStart : 0;

    /// <summary>
    /// Pushes a finished chunk's chaining value, first merging it with every completed subtree
    /// it closes: as many as there are trailing zero bits in the chunk count (BLAKE3 spec §5.1.2).
    /// </summary>
    [SkipLocalsInit]
    private void AddChunkChainingValue(Vector128<uint> cv0, Vector128<uint> cv1, ulong totalChunks)
    {
        Span<uint> stack = _stack;
        Span<byte> block = stackalloc byte[BlockBytes];
        while ((totalChunks & 1) == 0)
        {
            _stackLength--;
            var left = stack.Slice(8 * _stackLength, 8);
            Store(Vector128.Create((ReadOnlySpan<uint>)left[..4]), block);
            Store(Vector128.Create((ReadOnlySpan<uint>)left[4..]), block[16..]);
            Store(cv0, block[32..]);
            Store(cv1, block[48..]);
            cv0 = _key0;
            cv1 = _key1;
            ChainingValue(ref cv0, ref cv1, block, 0, BlockBytes, _modeFlags | Parent);
            totalChunks >>= 1;
        }

        var top = stack.Slice(8 * _stackLength, 8);
        cv0.CopyTo(top);
        cv1.CopyTo(top[4..]);
        _stackLength++;
    }

    [InlineArray(BlockBytes)]
    private struct BlockBuffer
    {
        private byte _element;
    }

    [InlineArray(8 * StackDepthMax)]
    private struct CvStack
    {
        private uint _element;
    }
}
