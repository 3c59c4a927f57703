namespace Grid.RdmaTransport.Tcp;

/// <summary>The parsed fixed header of a frame (see <see cref="WireFormat"/>).</summary>
internal readonly record struct FrameHeader(FrameType Type, ulong RequestId, int PayloadBytes);
