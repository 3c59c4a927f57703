using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// Builds one frame at a time in a pooled, growing buffer: <see cref="Begin"/>, append the
/// payload, <see cref="Finish"/> to fill the header and get the bytes to send.
/// </summary>
internal sealed class FrameWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private FrameType _type;
    private ulong _requestId;

    public FrameWriter(int initialBytes = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);

    public int PayloadBytes => _length - WireFormat.HeaderBytes;

    /// <summary>Where the next byte goes; with <see cref="At"/> a field can be filled in later.</summary>
    public int Position => _length;

    public Span<byte> At(int position, int bytes) => _buffer.AsSpan(position, bytes);

    public void Begin(FrameType type, ulong requestId)
    {
        _type = type;
        _requestId = requestId;
        _length = WireFormat.HeaderBytes;
    }

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

    public ReadOnlyMemory<byte> Finish()
    {
        var payload = _buffer.AsSpan(WireFormat.HeaderBytes, _length - WireFormat.HeaderBytes);
        WireFormat.WriteHeader(_buffer, _type, _requestId, payload);
        return _buffer.AsMemory(0, _length);
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
