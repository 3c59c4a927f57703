using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// The authenticated opening of a TCP connection: mutual proof of the cluster key.
/// <code>
/// client -> Hello     u32 magic "GRDM", u8 version, u32 client node id, 32-byte client nonce
/// server -> Challenge u32 server node id, 32-byte server nonce, HMAC("grid-server-v1", ids, nonces)
/// client -> Auth      HMAC("grid-client-v1", ids, nonces)
/// server -> Welcome   u32 max payload bytes, u16 max ops per batch, u16 region count,
///                     per region u32 id, u64 length, u8 rights granted to this client,
///                     then the server's identity: u64 incarnation, u8 cluster id length,
///                     cluster id (ASCII)
/// </code>
/// Either side that fails a check sends an Error frame when it can and closes the connection.
/// The identity was appended to the Welcome without a version change: a welcome that ends after
/// its region table (a server from before) parses with no identity.
/// </summary>
internal static class Handshake
{
    private static readonly byte[] ServerRole = "grid-server-v1"u8.ToArray();
    private static readonly byte[] ClientRole = "grid-client-v1"u8.ToArray();
    private const int HelloBytes = 4 + 1 + 4 + WireFormat.NonceBytes;
    private const int ChallengeBytes = 4 + WireFormat.NonceBytes + WireFormat.ProofBytes;

    public static async Task<Welcome> RunClientAsync(
        Socket socket,
        FrameReader reader,
        FrameWriter writer,
        NodeId localNode,
        ClusterKey key,
        string remoteName,
        CancellationToken cancellationToken)
    {
        var clientNonce = RandomNumberGenerator.GetBytes(WireFormat.NonceBytes);
        writer.Begin(FrameType.Hello, 0);
        writer.WriteUInt32(WireFormat.HelloMagic);
        writer.WriteByte(WireFormat.Version);
        writer.WriteUInt32(localNode.Value);
        writer.WriteBytes(clientNonce);
        await FlushAsync(socket, writer, cancellationToken).ConfigureAwait(false);

        await ExpectAsync(reader, FrameType.Challenge, remoteName, cancellationToken).ConfigureAwait(false);
        var challenge = reader.Payload;
        if (challenge.Length != ChallengeBytes)
        {
            throw Malformed($"{remoteName} sent a challenge of {challenge.Length} bytes");
        }

        var serverNode = new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(challenge));
        var serverNonce = challenge.Slice(4, WireFormat.NonceBytes).ToArray();
        var expected = key.Proof(ServerRole, localNode, serverNode, clientNonce, serverNonce);
        if (!CryptographicOperations.FixedTimeEquals(expected, challenge[(4 + WireFormat.NonceBytes)..]))
        {
            throw new TransportException(
                TransportError.AuthenticationFailed,
                $"{remoteName} ({serverNode}) did not prove it holds our cluster key: " +
                "the two sides have different cluster keys");
        }

        writer.Begin(FrameType.Auth, 0);
        writer.WriteBytes(key.Proof(ClientRole, localNode, serverNode, clientNonce, serverNonce));
        await FlushAsync(socket, writer, cancellationToken).ConfigureAwait(false);

        await ExpectAsync(reader, FrameType.Welcome, remoteName, cancellationToken).ConfigureAwait(false);
        return ParseWelcome(reader.Payload, serverNode, remoteName);
    }

    /// <summary>Runs the server's half; returns the authenticated client's node id.</summary>
    public static async Task<NodeId> RunServerAsync(
        Socket socket,
        FrameReader reader,
        FrameWriter writer,
        MemoryEndpoint endpoint,
        ClusterKey key,
        TcpTransportOptions options,
        CancellationToken cancellationToken)
    {
        if (!await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new TransportException(TransportError.ConnectionClosed, "closed before its hello");
        }

        var hello = reader.Payload;
        if (reader.Header.Type != FrameType.Hello || hello.Length != HelloBytes
            || BinaryPrimitives.ReadUInt32LittleEndian(hello) != WireFormat.HelloMagic)
        {
            throw Malformed("the first frame is not a Grid hello");
        }

        if (hello[4] != WireFormat.Version)
        {
            throw Malformed($"protocol version {hello[4]} is not supported (this side speaks {WireFormat.Version})");
        }

        var client = new NodeId(BinaryPrimitives.ReadUInt32LittleEndian(hello[5..]));
        var clientNonce = hello.Slice(9, WireFormat.NonceBytes).ToArray();
        var serverNonce = RandomNumberGenerator.GetBytes(WireFormat.NonceBytes);
        writer.Begin(FrameType.Challenge, 0);
        writer.WriteUInt32(endpoint.Id.Value);
        writer.WriteBytes(serverNonce);
        writer.WriteBytes(key.Proof(ServerRole, client, endpoint.Id, clientNonce, serverNonce));
        await FlushAsync(socket, writer, cancellationToken).ConfigureAwait(false);

        if (!await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new TransportException(
                TransportError.AuthenticationFailed,
                $"{client} closed the connection instead of answering the challenge " +
                "(it does not hold this cluster key)");
        }

        var expected = key.Proof(ClientRole, client, endpoint.Id, clientNonce, serverNonce);
        if (reader.Header.Type != FrameType.Auth
            || !CryptographicOperations.FixedTimeEquals(expected, reader.Payload))
        {
            throw new TransportException(
                TransportError.AuthenticationFailed,
                $"{client} did not prove it holds the cluster key");
        }

        WriteWelcome(writer, options, endpoint.DescribeRegionsFor(client), endpoint.Identity);
        await FlushAsync(socket, writer, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>Begins and writes the Welcome frame (the caller finishes it).</summary>
    internal static void WriteWelcome(
        FrameWriter writer, TcpTransportOptions options, RegionInfo[] regions, MemoryNodeIdentity identity)
    {
        writer.Begin(FrameType.Welcome, 0);
        writer.WriteUInt32((uint)options.MaxPayloadBytes);
        writer.WriteUInt16((ushort)options.MaxOpsPerBatch);
        writer.WriteUInt16((ushort)regions.Length);
        foreach (var region in regions)
        {
            writer.WriteUInt32(region.Id);
            writer.WriteUInt64((ulong)region.Length);
            writer.WriteByte((byte)region.Rights);
        }

        writer.WriteUInt64(identity.Incarnation);
        writer.WriteByte((byte)identity.ClusterId.Length);
        writer.WriteBytes(Encoding.ASCII.GetBytes(identity.ClusterId));
    }

    /// <summary>Finishes the current frame and sends every pending one.</summary>
    public static async ValueTask FlushAsync(
        Socket socket, FrameWriter writer, CancellationToken cancellationToken)
    {
        writer.Finish();
        await SendAsync(socket, writer.Pending, cancellationToken).ConfigureAwait(false);
        writer.Clear();
    }

    public static async ValueTask SendAsync(
        Socket socket, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        while (!frame.IsEmpty)
        {
            var sent = await socket.SendAsync(frame, SocketFlags.None, cancellationToken)
                .ConfigureAwait(false);
            frame = frame[sent..];
        }
    }

    /// <summary>Parses an Error frame's payload into an exception naming the sender.</summary>
    public static TransportException ParseError(ReadOnlySpan<byte> payload, string remoteName)
    {
        if (payload.Length < 3)
        {
            return Malformed($"{remoteName} sent an error frame of {payload.Length} bytes");
        }

        var error = (TransportError)payload[0];
        var length = BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]);
        var message = payload.Length >= 3 + length
            ? Encoding.UTF8.GetString(payload.Slice(3, length))
            : "(truncated)";
        return new TransportException(error, $"{remoteName} refused: {message}");
    }

    private static async Task ExpectAsync(
        FrameReader reader, FrameType type, string remoteName, CancellationToken cancellationToken)
    {
        if (!await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new TransportException(
                TransportError.ConnectionClosed, $"{remoteName} closed the connection during the handshake");
        }

        if (reader.Header.Type == FrameType.Error)
        {
            throw ParseError(reader.Payload, remoteName);
        }

        if (reader.Header.Type != type)
        {
            throw Malformed($"{remoteName} sent {reader.Header.Type} where {type} was expected");
        }
    }

    internal static Welcome ParseWelcome(ReadOnlySpan<byte> payload, NodeId server, string remoteName)
    {
        if (payload.Length < 8)
        {
            throw Malformed($"{remoteName} sent a welcome of {payload.Length} bytes");
        }

        var maxPayload = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(payload), int.MaxValue);
        var maxOps = BinaryPrimitives.ReadUInt16LittleEndian(payload[4..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]);
        var tableEnd = 8 + count * 13;
        if (payload.Length < tableEnd)
        {
            throw Malformed($"{remoteName} sent a welcome whose region table does not add up");
        }

        var regions = new RegionInfo[count];
        for (var i = 0; i < count; i++)
        {
            var entry = payload.Slice(8 + i * 13, 13);
            regions[i] = new RegionInfo(
                BinaryPrimitives.ReadUInt32LittleEndian(entry),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[4..]),
                (AccessRights)entry[12]);
        }

        var identity = ParseIdentity(payload[tableEnd..], remoteName);
        return new Welcome(server, maxPayload, maxOps, regions, identity);
    }

    /// <summary>The identity after the region table; null when there is none (an older server).</summary>
    private static MemoryNodeIdentity? ParseIdentity(ReadOnlySpan<byte> rest, string remoteName)
    {
        if (rest.IsEmpty)
        {
            return null;
        }

        if (rest.Length < 9 || rest.Length != 9 + rest[8])
        {
            throw Malformed($"{remoteName} sent a welcome whose identity does not add up");
        }

        var incarnation = BinaryPrimitives.ReadUInt64LittleEndian(rest);
        var clusterId = Encoding.ASCII.GetString(rest[9..]);
        if (incarnation == 0 || MemoryNodeIdentity.CheckClusterId(clusterId) is not null)
        {
            throw Malformed($"{remoteName} sent a welcome with an invalid identity " +
                $"(incarnation {incarnation:x16}, cluster id '{clusterId}')");
        }

        return new MemoryNodeIdentity(clusterId, incarnation);
    }

    private static TransportException Malformed(string message) =>
        new(TransportError.MalformedFrame, message);

    internal readonly record struct Welcome(
        NodeId Server, int MaxPayloadBytes, int MaxOpsPerBatch, RegionInfo[] Regions,
        MemoryNodeIdentity? Identity);
}
