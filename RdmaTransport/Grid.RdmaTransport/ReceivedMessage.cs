namespace Grid.RdmaTransport;

/// <summary>A two-sided message taken from an endpoint's receive queue; the payload is its own.</summary>
public readonly record struct ReceivedMessage(NodeId From, byte[] Payload);
