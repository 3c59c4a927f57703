using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// Builds frames in a pooled, growing buffer: <see cref="Begin"/>, append the payload,
/// <see cref="Finish"/> to fill the header. Finished frames accumulate in <see cref="Pending"/>
/// so that many can leave in one send; <see cref="Clear"/> once they are sent.
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart;
    private FrameType _type;
    private ulong _requestId;

    public FrameWriter(int initialBytes = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);

    /// <summary>Every finished frame not yet cleared.</summary>
    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(0, _frameStart);

    public int PendingBytes => _frameStart;

    /// <summary>Where the next byte goes; with <see cref="At"/> a field can be filled in later.</summary>
    public int Position => _length;

    public Span<byte> At(int position, int bytes) => _buffer.AsSpan(position, bytes);

    /// <summary>Starts a frame after the ones already pending.</summary>
    public void Begin(FrameType type, ulong requestId)
    {
        _type = type;
        _requestId = requestId;
        _frameStart = _length;
        Reserve(WireFormat.HeaderBytes);
    }

    public void Clear()
    {
        _length = 0;
        _frameStart = 0;
    }

    /// <summary>Drops a frame begun but not finished (an error cut its encoding short).</summary>
    public void DiscardUnfinished() => _length = _frameStart;

    public Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Grow(_length + bytes);
        }

        var span = _buffer.AsSpan(_length, bytes);
        _length += bytes;
        return span;
    }

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>u16 length + UTF-8, cut to <see cref="WireFormat.MaxErrorMessageBytes"/>.</summary>
    public void WriteMessage(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            WriteUInt16(0);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var length = Math.Min(bytes.Length, WireFormat.MaxErrorMessageBytes);
        WriteUInt16((ushort)length);
        WriteBytes(bytes.AsSpan(0, length));
    }

    /// <summary>Fills the current frame's header; returns that frame alone.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        var payloadStart = _frameStart + WireFormat.HeaderBytes;
        var payload = _buffer.AsSpan(payloadStart, _length - payloadStart);
        WireFormat.WriteHeader(_buffer.AsSpan(_frameStart), _type, _requestId, payload);
        var frame = _buffer.AsMemory(_frameStart, _length - _frameStart);
        _frameStart = _length;
        return frame;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
