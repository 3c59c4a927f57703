namespace Grid.Cli.Bench.Dsig;

/// <summary>
/// One system of <c>grid bench dsig</c>: sign and verify one message, single-threaded. Each
/// implementation prepares what it needs (keys, signatures to verify) before the measured ops.
/// </summary>
internal interface ISignatureScheme : IDisposable
{
    /// <summary>The JSON <c>system</c> name.</summary>
    string Name { get; }

    int SignatureBytes { get; }

    /// <summary>Gets ready for <paramref name="signs"/> signatures of the next round (untimed).</summary>
    void Prepare(int signs);

    void Sign(ReadOnlySpan<byte> message, Span<byte> signature);

    /// <summary>Verifies a valid signature of <paramref name="message"/> made in advance.</summary>
    bool Verify(ReadOnlySpan<byte> message, int sample);
}
