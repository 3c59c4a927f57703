using System.Buffers.Binary;
using Grid.RdmaTransport.Tcp;
using Grid.RdmaTransport.Tests.Support;
using Grid.Testing.Processes;

namespace Grid.RdmaTransport.Tests.Tcp;

/// <summary>
/// The contract and the refusal of bad input against a real grid-memnode process: whatever one
/// connection sends, the process answers it with a clear error and keeps serving the others.
/// </summary>
public sealed class MemoryNodeProcessTests(MemoryNodeFixture fixture) : IClassFixture<MemoryNodeFixture>
{
    private TestMemoryNode Node => fixture.Node;

    [Fact]
    public async Task Atomics_from_many_connections_sum_exactly_and_batches_keep_order()
    {
        var pairs = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Node.ConnectAsync(new NodeId(100 + (uint)i))));
        var offset = 8UL * (ulong)Random.Shared.Next(1, 1000);
        await Task.WhenAll(pairs.Select(pair => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await pair.FetchAndAddAsync(0, offset, 2);
            }
        })));

        var total = await pairs[0].FetchAndAddAsync(0, offset, 0);
        var batch = new VerbBatch();
        var seen = new byte[8];
        batch.Write(0, offset + 8, Word(77));
        batch.Read(0, offset + 8, seen);
        await pairs[1].PostAsync(batch);

        Assert.Equal(4UL * 200 * 2, total);
        Assert.Equal(77UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        foreach (var pair in pairs)
        {
            await pair.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_owned_region_takes_writes_from_its_owner_only()
    {
        await using var owner = await Node.ConnectAsync(MemoryNodeFixture.Owner);
        await using var other = await Node.ConnectAsync(new NodeId(8));
        Assert.Equal(AccessRights.All, owner.RemoteRegions[1].Rights);
        Assert.Equal(AccessRights.RemoteRead, other.RemoteRegions[1].Rights);

        await owner.WriteAsync(1, 0, Word(5));
        var seen = new byte[8];
        await other.ReadAsync(1, 0, seen);
        var denied = await Assert.ThrowsAsync<TransportException>(() => other.WriteAsync(1, 0, Word(6)).AsTask());

        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        Assert.Equal(TransportError.AccessDenied, denied.Error);
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "random bytes", RandomBytes(4096, seed: 1) },
        { "an HTTP request", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray() },
        { "a frame length of 2^31", Header(0x8000_0000u, version: 1) },
        { "a frame of an unknown version", Header(16, version: 9) },
        { "a frame shorter than a header", Header(3, version: 1) },
        { "a frame with a bad checksum", Frame(type: 1, payload: [1, 2, 3], corruptChecksum: true) },
        { "a hello with the wrong magic", Frame(type: 1, payload: new byte[41], corruptChecksum: false) },
        { "a batch before the handshake", Frame(type: 5, payload: [1, 0], corruptChecksum: false) },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_is_refused_and_a_valid_client_keeps_being_served(string what, byte[] bytes)
    {
        await using var valid = await Node.ConnectAsync(new NodeId(20));
        await valid.WriteAsync(0, 0, Word(1));
        using var raw = await RawPeer.ConnectAsync(Node.Address);

        await raw.SendAsync(bytes);
        var refusal = await raw.ReadRefusalAsync();

        Assert.True(refusal is not null, $"{what}: the server closed without saying why");
        Assert.Contains(refusal.Value.Error,
            new[] { TransportError.MalformedFrame, TransportError.LimitExceeded });
        Assert.False(string.IsNullOrWhiteSpace(refusal.Value.Message));
        await valid.WriteAsync(0, 0, Word(2));
        await using var fresh = await Node.ConnectAsync(new NodeId(21));
        var seen = new byte[8];
        await fresh.ReadAsync(0, 0, seen);
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(seen));
        Assert.False(Node.HasExited);
    }

    [Fact]
    public async Task A_frame_length_of_2_pow_31_names_the_limit()
    {
        using var raw = await RawPeer.ConnectAsync(Node.Address);
        await raw.SendAsync(Header(0x8000_0000u, version: 1));

        var refusal = await raw.ReadRefusalAsync();

        Assert.NotNull(refusal);
        Assert.Equal(TransportError.LimitExceeded, refusal.Value.Error);
        Assert.Contains("2147483648", refusal.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_with_another_cluster_key_is_refused()
    {
        var wrongKey = ClusterKey.FromSecret(ClusterKey.GenerateSecret());

        var error = await Assert.ThrowsAsync<TransportException>(
            () => TcpQueuePair.ConnectAsync(Node.Address, new NodeId(30), wrongKey));

        Assert.Equal(TransportError.AuthenticationFailed, error.Error);
        Assert.Contains("cluster key", error.Message, StringComparison.Ordinal);
        await using var valid = await Node.ConnectAsync(new NodeId(31));
        await valid.ReadAsync(0, 0, new byte[8]);
    }

    [Fact]
    public async Task A_peer_that_fakes_its_proof_is_refused_by_the_server()
    {
        using var raw = await RawPeer.ConnectAsync(Node.Address);
        var hello = new byte[41];
        BinaryPrimitives.WriteUInt32LittleEndian(hello, WireFormat.HelloMagic);
        hello[4] = WireFormat.Version;
        BinaryPrimitives.WriteUInt32LittleEndian(hello.AsSpan(5), 32);
        await raw.SendFrameAsync(FrameType.Hello, 0, hello);
        await raw.SendFrameAsync(FrameType.Auth, 0, new byte[32]);

        var refusal = await raw.ReadRefusalAsync();

        Assert.NotNull(refusal);
        Assert.Equal(TransportError.AuthenticationFailed, refusal.Value.Error);
        Assert.Contains("did not prove", refusal.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_range_and_unaligned_ops_fail_only_their_own_queue_pair()
    {
        await using var bad = await Node.ConnectAsync(new NodeId(40));
        await using var good = await Node.ConnectAsync(new NodeId(41));

        var outOfRange = await Assert.ThrowsAsync<TransportException>(
            () => bad.ReadAsync(0, 1UL << 40, new byte[64]).AsTask());
        await bad.ResetAsync();
        var unaligned = await Assert.ThrowsAsync<TransportException>(
            () => bad.CompareAndSwapAsync(0, 13, 0, 1).AsTask());
        await bad.ResetAsync();
        var unknown = await Assert.ThrowsAsync<TransportException>(
            () => bad.WriteAsync(77, 0, new byte[8]).AsTask());

        Assert.Equal(TransportError.OutOfRange, outOfRange.Error);
        Assert.Equal(TransportError.Unaligned, unaligned.Error);
        Assert.Contains("not 8-byte aligned", unaligned.Message, StringComparison.Ordinal);
        Assert.Equal(TransportError.UnknownRegion, unknown.Error);
        await good.FetchAndAddAsync(0, 64, 1);
        Assert.Equal(QueuePairState.Ready, good.State);
    }

    [Fact]
    public async Task A_malformed_batch_from_an_authenticated_peer_closes_only_that_peer()
    {
        await using var good = await Node.ConnectAsync(new NodeId(51));
        using var raw = await RawPeer.ConnectAuthenticatedAsync(Node.Address, Node.Key, new NodeId(50));
        // One op of verb 99, which does not exist.
        var payload = new byte[2 + 13 + 4];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, 1);
        payload[2] = 99;
        await raw.SendFrameAsync(FrameType.Batch, 1, payload);

        var refusal = await raw.ReadRefusalAsync();

        Assert.NotNull(refusal);
        Assert.Equal(TransportError.MalformedFrame, refusal.Value.Error);
        Assert.Contains("unknown verb 99", refusal.Value.Message, StringComparison.Ordinal);
        await good.ReadAsync(0, 0, new byte[8]);
    }

    [Fact]
    public async Task A_batch_too_large_for_the_frame_limit_is_refused_before_sending()
    {
        await using var pair = await Node.ConnectAsync(new NodeId(60));
        var batch = new VerbBatch();
        for (var i = 0; i < 20; i++)
        {
            batch.Read(0, 0, new byte[1 << 20]);
        }

        var error = await Assert.ThrowsAsync<TransportException>(() => pair.PostAsync(batch).AsTask());

        Assert.Equal(TransportError.LimitExceeded, error.Error);
        Assert.Equal(QueuePairState.Ready, pair.State);
        await pair.ReadAsync(0, 0, new byte[8]);
    }

    internal static byte[] Word(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        // Keep the declared length small enough that the server must judge the content.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 1000);
        return bytes;
    }

    private static byte[] Header(uint length, byte version)
    {
        var bytes = new byte[WireFormat.HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, length);
        bytes[4] = version;
        bytes[5] = (byte)FrameType.Hello;
        return bytes;
    }

    private static byte[] Frame(byte type, byte[] payload, bool corruptChecksum)
    {
        var bytes = new byte[WireFormat.HeaderBytes + payload.Length];
        WireFormat.WriteHeader(bytes, (FrameType)type, 0, payload);
        payload.CopyTo(bytes, WireFormat.HeaderBytes);
        if (corruptChecksum)
        {
            bytes[8] ^= 0xFF;
        }

        return bytes;
    }
}
