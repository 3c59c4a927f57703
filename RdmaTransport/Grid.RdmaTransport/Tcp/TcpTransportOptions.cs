namespace Grid.RdmaTransport.Tcp;

/// <summary>Limits and timeouts of the TCP fabric, for both ends; see <see cref="Validate"/>.</summary>
public sealed class TcpTransportOptions
{
    public const int MaxPayloadBytesLimit = 256 * 1024 * 1024;

    /// <summary>How long opening a TCP connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the authenticated handshake may take, on either side.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a posted batch may wait for its completion. Past it the connection is declared
    /// dead: every outstanding batch fails with <see cref="TransportError.Timeout"/>.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame payload either side accepts (a batch's data or its results).</summary>
    public int MaxPayloadBytes { get; set; } = 16 * 1024 * 1024 + 4096;

    /// <summary>Most ops in one batch.</summary>
    public int MaxOpsPerBatch { get; set; } = 1024;

    /// <summary>Most batches posted and not yet completed on one connection (send-queue depth).</summary>
    public int MaxOutstandingBatches { get; set; } = 1024;

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How a target judges batch deadlines (<see cref="VerbBatch.NotAfter"/>) by <see cref="TimeProvider"/>.</summary>
    public BatchDeadline Deadlines { get; set; } = BatchDeadline.Default;

    public void Validate()
    {
        Deadlines.Validate();
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(HandshakeTimeout, nameof(HandshakeTimeout));
        Positive(OperationTimeout, nameof(OperationTimeout));
        if (MaxPayloadBytes < 4096 || MaxPayloadBytes > MaxPayloadBytesLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxPayloadBytes), MaxPayloadBytes, $"must be in [4096, {MaxPayloadBytesLimit}]");
        }

        if (MaxOpsPerBatch < 1 || MaxOpsPerBatch > ushort.MaxValue - 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxOpsPerBatch), MaxOpsPerBatch, $"must be in [1, {ushort.MaxValue - 1}]");
        }

        if (MaxOutstandingBatches < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxOutstandingBatches), MaxOutstandingBatches, "must be >= 1");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be > 0");
        }
    }
}
