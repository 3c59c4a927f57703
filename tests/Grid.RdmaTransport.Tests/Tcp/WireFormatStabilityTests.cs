using System.Buffers.Binary;
using Grid.RdmaTransport.Tcp;

namespace Grid.RdmaTransport.Tests.Tcp;

/// <summary>
/// Pins the wire values (STYLE.md, lesson 11): a renumbered enum or a moved header field breaks
/// every deployed peer, so changing one must fail here first.
/// </summary>
public sealed class WireFormatStabilityTests
{
    [Fact]
    public void Verb_values_are_frozen()
    {
        Assert.Equal(
            new[] { (1, "Read"), (2, "Write"), (3, "CompareAndSwap"), (4, "FetchAndAdd"), (5, "Send") },
            Enum.GetValues<VerbKind>().Select(v => ((int)v, v.ToString())));
    }

    [Fact]
    public void Error_values_are_frozen()
    {
        Assert.Equal(
            new[]
            {
                "0=None", "1=AccessDenied", "2=OutOfRange", "3=Unaligned", "4=UnknownRegion",
                "5=ReceiverNotReady", "6=QueuePairInError", "7=Timeout", "8=PeerUnreachable",
                "9=ConnectionClosed", "10=AuthenticationFailed", "11=MalformedFrame",
                "12=LimitExceeded", "13=NotSupported", "14=Expired",
            },
            Enum.GetValues<TransportError>().Select(v => $"{(int)v}={v}"));
    }

    [Fact]
    public void Frame_type_values_are_frozen()
    {
        Assert.Equal(
            new[]
            {
                "1=Hello", "2=Challenge", "3=Auth", "4=Welcome", "5=Batch", "6=BatchResult",
                "7=Reset", "8=Error", "9=TimedBatch",
            },
            Enum.GetValues<FrameType>().Select(v => $"{(int)v}={v}"));
    }

    [Fact]
    public void A_timed_batch_frame_carries_its_deadline_in_utc_ticks_before_the_batch()
    {
        using var writer = new FrameWriter();
        var batch = new VerbBatch();
        batch.FetchAndAdd(0, 8, 1);
        var deadline = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        batch.NotAfter = deadline;
        BatchCodec.WriteRequest(writer, batch, requestId: 7);
        var frame = writer.Finish().ToArray();

        Assert.Equal((byte)FrameType.TimedBatch, frame[5]);
        var payload = frame.AsSpan(WireFormat.HeaderBytes);
        Assert.Equal(deadline.UtcTicks, BinaryPrimitives.ReadInt64LittleEndian(payload));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]));
        Assert.Equal(8 + 2 + 13 + 8, payload.Length);
        Assert.Equal(payload.Length, BatchCodec.Sizes(batch).Request);
    }

    [Fact]
    public void A_batch_frame_has_the_documented_layout()
    {
        using var writer = new FrameWriter();
        var batch = new VerbBatch();
        batch.CompareAndSwap(3, 64, 0x0102, 0x0304);
        BatchCodec.WriteRequest(writer, batch, requestId: 0x1122334455667788);
        var frame = writer.Finish().ToArray();

        var payload = frame.AsSpan(WireFormat.HeaderBytes);
        Assert.Equal(20 + 2 + 13 + 16, frame.Length);
        Assert.Equal((uint)(16 + payload.Length), BinaryPrimitives.ReadUInt32LittleEndian(frame));
        Assert.Equal(1, frame[4]);
        Assert.Equal((byte)FrameType.Batch, frame[5]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(6)));
        Assert.Equal(WireFormat.Checksum(payload), BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(8)));
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(12)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(payload));
        Assert.Equal((byte)VerbKind.CompareAndSwap, payload[2]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(payload[3..]));
        Assert.Equal(64UL, BinaryPrimitives.ReadUInt64LittleEndian(payload[7..]));
        Assert.Equal(0x0102UL, BinaryPrimitives.ReadUInt64LittleEndian(payload[15..]));
        Assert.Equal(0x0304UL, BinaryPrimitives.ReadUInt64LittleEndian(payload[23..]));
    }

    [Fact]
    public void A_welcome_carries_the_identity_after_the_region_table()
    {
        using var writer = new FrameWriter();
        var options = new TcpTransportOptions();
        var identity = new MemoryNodeIdentity("c-1", 0x0102030405060708);
        Handshake.WriteWelcome(writer, options, [new RegionInfo(0, 4096, AccessRights.All)], identity);
        var payload = writer.Finish().ToArray().AsSpan(WireFormat.HeaderBytes);

        Assert.Equal(8 + 13 + 8 + 1 + 3, payload.Length);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]));
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64LittleEndian(payload[21..]));
        Assert.Equal(3, payload[29]);
        Assert.Equal("c-1"u8.ToArray(), payload[30..].ToArray());
        var welcome = Handshake.ParseWelcome(payload, new NodeId(1000), "peer");
        Assert.Equal(identity, welcome.Identity);
        Assert.Equal(4096, Assert.Single(welcome.Regions).Length);
    }

    [Fact]
    public void A_welcome_that_ends_after_its_region_table_has_no_identity()
    {
        var payload = new byte[8 + 13];
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(6), 1);

        var welcome = Handshake.ParseWelcome(payload, new NodeId(1000), "peer");

        Assert.Null(welcome.Identity);
        Assert.Single(welcome.Regions);
    }

    [Theory]
    [InlineData("01000000")]                                // shorter than an incarnation and a length
    [InlineData("010000000000000002")]                      // claims a 2-byte cluster id, has none
    [InlineData("01000000000000000261626364")]              // has 4 bytes where 2 were claimed
    [InlineData("0000000000000000026162")]                  // incarnation 0
    [InlineData("0100000000000000036120620000")]            // cluster id "a b" (a space), then junk
    [InlineData("010000000000000003612062")]                // cluster id "a b"
    public void A_welcome_with_a_torn_or_invalid_identity_is_malformed(string identityHex)
    {
        // No regions: the identity follows the 8-byte fixed part at once.
        byte[] payload = [.. new byte[8], .. Convert.FromHexString(identityHex)];

        var error = Assert.Throws<TransportException>(
            () => Handshake.ParseWelcome(payload, new NodeId(1000), "peer"));

        Assert.Equal(TransportError.MalformedFrame, error.Error);
        Assert.Contains("identity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_result_that_does_not_fit_its_batch_is_rejected()
    {
        var batch = new VerbBatch();
        batch.Read(0, 0, new byte[8]);
        // Claims success for one READ but carries 4 bytes instead of 8.
        var payload = new byte[] { 0, 0xFF, 0xFF, 1, 0, 1, 2, 3, 4, 0, 0 };

        var error = Assert.Throws<TransportException>(() => BatchCodec.ReadResult(payload, batch));

        Assert.Equal(TransportError.MalformedFrame, error.Error);
    }
}
