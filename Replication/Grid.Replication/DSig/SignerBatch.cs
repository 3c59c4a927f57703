using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// 128 prepared one-time keys of one signer under one signed root (specs/dsig.md §3 steps 6-9):
/// their secrets (all four levels of every chain), each key's 360-byte signature header
/// (pk_nonce, leaf, path, root signature, index, nonce — everything but the revealed values)
/// and the batch message for the verifiers. Keys are handed out strictly once, in order, by an
/// atomic cursor; <see cref="Erase"/> wipes the secrets once the batch is used up.
/// </summary>
internal sealed class SignerBatch
{
    private readonly byte[] _levels;
    private readonly byte[] _headers;
    private int _next = -1;
    private int _finished;

    public SignerBatch(ulong batchSequence, byte[] levels, byte[] headers, byte[] message)
    {
        Debug.Assert(levels.Length == DsigParameters.BatchKeys * DsigParameters.SecretKeyBytes);
        Debug.Assert(headers.Length == DsigParameters.BatchKeys * DsigSignatureLayout.HeaderBytes);
        Debug.Assert(message.Length == DsigParameters.BatchMessageBytes);
        BatchSequence = batchSequence;
        _levels = levels;
        _headers = headers;
        Message = message;
    }

    public ulong BatchSequence { get; }

    /// <summary>The batch message sent to verifiers (<see cref="BatchMessage"/>).</summary>
    public byte[] Message { get; }

    /// <summary>Keys not yet handed out.</summary>
    public int Remaining => Math.Max(0, DsigParameters.BatchKeys - (Volatile.Read(ref _next) + 1));

    /// <summary>Claims the next unused key; false once all 128 are gone. Thread-safe.</summary>
    public bool TryTake(out int keyIndex)
    {
        keyIndex = Interlocked.Increment(ref _next);
        if (keyIndex < DsigParameters.BatchKeys)
        {
            return true;
        }

        keyIndex = -1;
        return false;
    }

    /// <summary>
    /// Signs with key <paramref name="keyIndex"/>, which the caller claimed with
    /// <see cref="TryTake"/> (§5.1): the digest's digits pick one stored level per chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public void Sign(int keyIndex, DsigDomain domain, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        Debug.Assert(keyIndex is >= 0 and < DsigParameters.BatchKeys);
        Debug.Assert(signature.Length >= DsigParameters.SignatureBytes);
        var header = _headers.AsSpan(keyIndex * DsigSignatureLayout.HeaderBytes, DsigSignatureLayout.HeaderBytes);
        header.CopyTo(signature);
        Span<byte> digits = stackalloc byte[DsigParameters.Chains];
        MessageDigest.Digits(
            domain,
            header.Slice(DsigSignatureLayout.LeafOffset, DsigParameters.HashBytes),
            header.Slice(DsigSignatureLayout.NonceOffset, DsigParameters.NonceBytes),
            message,
            digits);

        // 68 copies of 18 bytes, as one 16-byte and one 2-byte move each: X[dᵢ][i] → Rᵢ.
        ref var key = ref _levels[keyIndex * DsigParameters.SecretKeyBytes];
        ref var revealed = ref signature[DsigSignatureLayout.ChainsOffset];
        for (var chain = 0; chain < DsigParameters.Chains; chain++)
        {
            ref var source = ref Unsafe.Add(ref key,
                (chain * OneTimeKeyGenerator.ChainStride) + ((digits[chain] & 3) * DsigParameters.ChainValueBytes));
            ref var target = ref Unsafe.Add(ref revealed, chain * DsigParameters.ChainValueBytes);
            Unsafe.WriteUnaligned(ref target, Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<byte>>(ref source));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, 16), Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref source, 16)));
        }
    }

    /// <summary>Records that a signature with a claimed key is complete.</summary>
    public void MarkFinished() => Interlocked.Increment(ref _finished);

    /// <summary>All 128 keys were claimed and their signatures are complete: safe to erase.</summary>
    public bool Drained => Volatile.Read(ref _finished) >= DsigParameters.BatchKeys;

    /// <summary>Overwrites every secret of the batch with zeros.</summary>
    public void Erase() => CryptographicOperations.ZeroMemory(_levels);

    /// <summary>
    /// Erases the secrets and hands their (zeroed) buffer over for the next batch, so the signer
    /// does not allocate 627 KB per batch. Only for a <see cref="Drained"/> batch.
    /// </summary>
    public byte[] EraseAndRecycle()
    {
        Debug.Assert(Drained);
        Erase();
        return _levels;
    }

    /// <summary>Bytes of a batch's secret buffer.</summary>
    public const int LevelBufferBytes = DsigParameters.BatchKeys * DsigParameters.SecretKeyBytes;

    /// <summary>
    /// Generates a batch (§3): 128 keys, the tree, the Ed25519 root signature, the headers and
    /// the batch message. About 26,000 Haraka calls and one Ed25519 signature.
    /// </summary>
    public static SignerBatch Generate(
        ReadOnlySpan<byte> masterSeed,
        NodeId signer,
        ulong batchSequence,
        NSec.Cryptography.Key signingKey,
        byte[]? recycledLevels = null)
    {
        const int h = DsigParameters.HashBytes;
        var levels = recycledLevels ?? GC.AllocateUninitializedArray<byte>(LevelBufferBytes);
        Debug.Assert(levels.Length == LevelBufferBytes);
        var headers = new byte[DsigParameters.BatchKeys * DsigSignatureLayout.HeaderBytes];
        var nodes = new byte[DsigParameters.TreeNodes * h];
        const int hb = DsigSignatureLayout.HeaderBytes;
        for (var k = 0; k < DsigParameters.BatchKeys; k += 2)
        {
            var a = headers.AsSpan(k * hb, hb);
            var b = headers.AsSpan((k + 1) * hb, hb);
            OneTimeKeyGenerator.GeneratePair(
                masterSeed, signer, batchSequence, k,
                a.Slice(DsigSignatureLayout.PkNonceOffset, DsigParameters.NonceBytes),
                a.Slice(DsigSignatureLayout.NonceOffset, DsigParameters.NonceBytes),
                levels.AsSpan(k * DsigParameters.SecretKeyBytes, DsigParameters.SecretKeyBytes),
                nodes.AsSpan(k * h, h),
                b.Slice(DsigSignatureLayout.PkNonceOffset, DsigParameters.NonceBytes),
                b.Slice(DsigSignatureLayout.NonceOffset, DsigParameters.NonceBytes),
                levels.AsSpan((k + 1) * DsigParameters.SecretKeyBytes, DsigParameters.SecretKeyBytes),
                nodes.AsSpan((k + 1) * h, h));
        }

        MerkleTree.Build(nodes);
        Span<byte> statement = stackalloc byte[RootStatement.Bytes];
        RootStatement.Write(signer, batchSequence, nodes.AsSpan(MerkleTree.RootNode * h, h), statement);
        Span<byte> rootSignature = stackalloc byte[DsigParameters.Ed25519SignatureBytes];
        NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(signingKey, statement, rootSignature);

        for (var k = 0; k < DsigParameters.BatchKeys; k++)
        {
            var header = headers.AsSpan(k * DsigSignatureLayout.HeaderBytes, DsigSignatureLayout.HeaderBytes);
            nodes.AsSpan(k * h, h).CopyTo(header[DsigSignatureLayout.LeafOffset..]);
            MerkleTree.WritePath(nodes, k, header[DsigSignatureLayout.PathOffset..DsigSignatureLayout.RootSignatureOffset]);
            rootSignature.CopyTo(header[DsigSignatureLayout.RootSignatureOffset..]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(
                header[DsigSignatureLayout.IndexOffset..], DsigSignature.ComposeIndex(batchSequence, k));
        }

        var message = BatchMessage.Write(batchSequence, nodes.AsSpan(0, DsigParameters.BatchKeys * h), rootSignature);
        return new SignerBatch(batchSequence, levels, headers, message);
    }
}
