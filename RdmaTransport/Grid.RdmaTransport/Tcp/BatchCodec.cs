using System.Buffers.Binary;
using System.Text;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// Encodes batches and their results for the TCP fabric (layout in <see cref="WireFormat"/>),
/// and executes a received batch at the target. The target parses the whole frame before it
/// executes anything, so a malformed frame never half-applies.
/// </summary>
internal static class BatchCodec
{
    /// <summary>Payload bytes of a batch's request and of its full result (without message).</summary>
    public static (long Request, long Result) Sizes(VerbBatch batch)
    {
        long request = batch.NotAfter is null ? 2 : 2 + WireFormat.DeadlineBytes;
        long result = WireFormat.ResultHeaderBytes + 2 + WireFormat.MaxErrorMessageBytes;
        for (var i = 0; i < batch.Count; i++)
        {
            ref var op = ref batch.Op(i);
            request += WireFormat.RequestOpBytes(op.Kind, op.Length);
            result += WireFormat.ResultOpBytes(op.Kind, op.Length);
        }

        return (request, result);
    }

    public static void WriteRequest(FrameWriter writer, VerbBatch batch, ulong requestId)
    {
        if (batch.IsReset)
        {
            writer.Begin(FrameType.Reset, requestId);
            return;
        }

        if (batch.NotAfter is { } notAfter)
        {
            writer.Begin(FrameType.TimedBatch, requestId);
            writer.WriteUInt64((ulong)notAfter.UtcTicks);
        }
        else
        {
            writer.Begin(FrameType.Batch, requestId);
        }

        writer.WriteUInt16((ushort)batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            ref var op = ref batch.Op(i);
            writer.WriteByte((byte)op.Kind);
            writer.WriteUInt32(op.RegionId);
            writer.WriteUInt64(op.Offset);
            switch (op.Kind)
            {
                case VerbKind.Read:
                    writer.WriteUInt32((uint)op.Length);
                    break;
                case VerbKind.Write or VerbKind.Send:
                    writer.WriteUInt32((uint)op.Length);
                    writer.WriteBytes(op.Source.Span);
                    break;
                case VerbKind.CompareAndSwap:
                    writer.WriteUInt64(op.Operand);
                    writer.WriteUInt64(op.Swap);
                    break;
                case VerbKind.FetchAndAdd:
                    writer.WriteUInt64(op.Operand);
                    break;
            }
        }
    }

    /// <summary>Applies a BatchResult payload to the batch it answers; throws if it does not fit.</summary>
    public static (TransportError Error, int FailedOp, string? Message) ReadResult(
        ReadOnlySpan<byte> payload, VerbBatch batch)
    {
        if (payload.Length < WireFormat.ResultHeaderBytes + 2)
        {
            throw Malformed($"a batch result of {payload.Length} bytes");
        }

        var error = (TransportError)payload[0];
        var failedOp = BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]);
        var executed = BinaryPrimitives.ReadUInt16LittleEndian(payload[3..]);
        if (executed > batch.Count || (error == TransportError.None && executed != batch.Count))
        {
            throw Malformed($"a result for {executed} ops of a batch of {batch.Count}");
        }

        var at = WireFormat.ResultHeaderBytes;
        for (var i = 0; i < executed; i++)
        {
            ref var op = ref batch.Op(i);
            var bytes = WireFormat.ResultOpBytes(op.Kind, op.Length);
            if (payload.Length - at < bytes + 2)
            {
                throw Malformed($"a batch result cut short at op {i}");
            }

            if (op.Kind == VerbKind.Read)
            {
                payload.Slice(at, bytes).CopyTo(op.Destination.Span);
            }
            else if (bytes == 8)
            {
                op.Result = BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]);
            }

            at += bytes;
        }

        var messageBytes = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
        if (payload.Length != at + 2 + messageBytes)
        {
            throw Malformed("a batch result whose length does not add up");
        }

        var message = messageBytes == 0 ? null : Encoding.UTF8.GetString(payload.Slice(at + 2, messageBytes));
        return (error, failedOp == WireFormat.NoFailedOp ? -1 : failedOp, message);
    }

    /// <summary>
    /// Executes a Batch payload for <paramref name="peer"/> and writes the BatchResult frame.
    /// <paramref name="inError"/> is the connection's RC error state: set by a failed op, it
    /// flushes later batches until a Reset. Throws <see cref="TransportException"/> (malformed)
    /// before executing anything if the payload does not parse.
    /// </summary>
    public static void Execute(
        ReadOnlySpan<byte> payload,
        ulong requestId,
        MemoryEndpoint endpoint,
        NodeId peer,
        TcpTransportOptions options,
        ref bool inError,
        FrameWriter writer)
    {
        var (opCount, resultBytes) = Parse(payload);
        writer.Begin(FrameType.BatchResult, requestId);
        if (opCount > options.MaxOpsPerBatch)
        {
            WriteFailure(writer, TransportError.LimitExceeded, 0, 0,
                $"a batch of {opCount} ops exceeds the limit of {options.MaxOpsPerBatch}");
            return;
        }

        if (resultBytes > options.MaxPayloadBytes)
        {
            WriteFailure(writer, TransportError.LimitExceeded, 0, 0,
                $"the batch reads {resultBytes} bytes, above the limit of {options.MaxPayloadBytes}");
            return;
        }

        if (inError)
        {
            WriteFailure(writer, TransportError.QueuePairInError, 0, 0,
                "flushed: an earlier op on this queue pair failed and it was not reset");
            return;
        }

        var header = writer.Position;
        writer.Reserve(WireFormat.ResultHeaderBytes);
        var at = 2;
        for (var i = 0; i < opCount; i++)
        {
            var kind = (VerbKind)payload[at];
            var regionId = BinaryPrimitives.ReadUInt32LittleEndian(payload[(at + 1)..]);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 5)..]);
            at += WireFormat.OpHeaderBytes;
            var length = kind is VerbKind.Read or VerbKind.Write or VerbKind.Send
                ? (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[at..])
                : 8;
            var error = VerbExecutor.Check(endpoint, peer, kind, regionId, offset, length, out var region);
            if (error == TransportError.None)
            {
                error = ExecuteOp(payload, ref at, kind, region, offset, length, endpoint, peer, writer);
            }

            if (error != TransportError.None)
            {
                inError = true;
                var message = VerbExecutor.Describe(error, endpoint, peer, kind, regionId, offset, length);
                FillHeader(writer, header, error, i, i);
                writer.WriteMessage($"op {i}: {message}");
                return;
            }
        }

        FillHeader(writer, header, TransportError.None, WireFormat.NoFailedOp, opCount);
        writer.WriteUInt16(0);
    }

    /// <summary>
    /// Executes a TimedBatch payload: refused with <see cref="TransportError.Expired"/> (and the
    /// connection flushed until a reset) when the target's clock says the deadline has passed,
    /// else executed as a Batch.
    /// </summary>
    public static void ExecuteTimed(
        ReadOnlySpan<byte> payload,
        ulong requestId,
        MemoryEndpoint endpoint,
        NodeId peer,
        TcpTransportOptions options,
        ref bool inError,
        FrameWriter writer)
    {
        if (payload.Length < WireFormat.DeadlineBytes)
        {
            throw Malformed($"a timed batch of {payload.Length} bytes");
        }

        var ticks = BinaryPrimitives.ReadInt64LittleEndian(payload);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw Malformed($"a batch deadline of {ticks} ticks");
        }

        var batch = payload[WireFormat.DeadlineBytes..];
        Parse(batch); // a malformed frame is refused as such even when it is late
        var refusal = options.Deadlines.Refusal(new DateTimeOffset(ticks, TimeSpan.Zero), options.TimeProvider.GetUtcNow());
        if (refusal is not null && !inError)
        {
            inError = true;
            writer.Begin(FrameType.BatchResult, requestId);
            WriteFailure(writer, TransportError.Expired, 0, 0, $"{endpoint.Id} refused the batch: {refusal}");
            return;
        }

        Execute(batch, requestId, endpoint, peer, options, ref inError, writer);
    }

    public static void WriteFailure(
        FrameWriter writer, TransportError error, int failedOp, int executed, string message)
    {
        var header = writer.Position;
        writer.Reserve(WireFormat.ResultHeaderBytes);
        FillHeader(writer, header, error, failedOp, executed);
        writer.WriteMessage(message);
    }

    private static TransportError ExecuteOp(
        ReadOnlySpan<byte> payload,
        ref int at,
        VerbKind kind,
        MemoryRegion region,
        ulong offset,
        int length,
        MemoryEndpoint endpoint,
        NodeId peer,
        FrameWriter writer)
    {
        switch (kind)
        {
            case VerbKind.Read:
                at += 4;
                VerbExecutor.Read(region, offset, writer.Reserve(length));
                return TransportError.None;
            case VerbKind.Write:
                VerbExecutor.Write(region, offset, payload.Slice(at + 4, length));
                at += 4 + length;
                return TransportError.None;
            case VerbKind.Send:
                var delivered = endpoint.Deliver(peer, payload.Slice(at + 4, length));
                at += 4 + length;
                return delivered;
            case VerbKind.CompareAndSwap:
                writer.WriteUInt64(VerbExecutor.CompareAndSwap(
                    region,
                    offset,
                    BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 8)..])));
                at += 16;
                return TransportError.None;
            default:
                writer.WriteUInt64(VerbExecutor.FetchAndAdd(
                    region, offset, BinaryPrimitives.ReadUInt64LittleEndian(payload[at..])));
                at += 8;
                return TransportError.None;
        }
    }

    /// <summary>Walks the whole batch once: every op well formed, nothing left over.</summary>
    private static (int OpCount, long ResultBytes) Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            throw Malformed("a batch frame without an op count");
        }

        var opCount = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (opCount == 0)
        {
            throw Malformed("an empty batch");
        }

        long resultBytes = WireFormat.ResultHeaderBytes + 2 + WireFormat.MaxErrorMessageBytes;
        var at = 2;
        for (var i = 0; i < opCount; i++)
        {
            if (payload.Length - at < WireFormat.OpHeaderBytes)
            {
                throw Malformed($"op {i} of {opCount} is cut short");
            }

            var kind = (VerbKind)payload[at];
            if (!Enum.IsDefined(kind))
            {
                throw Malformed($"op {i} has unknown verb {payload[at]}");
            }

            at += WireFormat.OpHeaderBytes;
            var length = 8;
            if (kind is VerbKind.Read or VerbKind.Write or VerbKind.Send)
            {
                if (payload.Length - at < 4)
                {
                    throw Malformed($"op {i} ({kind}) has no length");
                }

                var declared = BinaryPrimitives.ReadUInt32LittleEndian(payload[at..]);
                if (declared > int.MaxValue)
                {
                    throw Malformed($"op {i} ({kind}) declares {declared} bytes");
                }

                length = (int)declared;
            }

            var body = WireFormat.RequestOpBytes(kind, length) - WireFormat.OpHeaderBytes;
            if (payload.Length - at < body)
            {
                throw Malformed($"op {i} ({kind}) is cut short");
            }

            at += body;
            resultBytes += WireFormat.ResultOpBytes(kind, length);
        }

        if (at != payload.Length)
        {
            throw Malformed($"{payload.Length - at} bytes follow the last op");
        }

        return (opCount, resultBytes);
    }

    private static void FillHeader(
        FrameWriter writer, int position, TransportError error, int failedOp, int executed)
    {
        var span = writer.At(position, WireFormat.ResultHeaderBytes);
        span[0] = (byte)error;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], (ushort)failedOp);
        BinaryPrimitives.WriteUInt16LittleEndian(span[3..], (ushort)executed);
    }

    private static TransportException Malformed(string message) =>
        new(TransportError.MalformedFrame, message);
}
