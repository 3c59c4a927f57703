namespace Grid.Replication.DSig;

/// <summary>Counters of a signer's background plane.</summary>
public readonly record struct DsigSignerStatistics(
    long BatchesGenerated,
    long KeysUsed,
    TimeSpan BackgroundTime,
    long SendFailures)
{
    /// <summary>Background work (key generation, tree, Ed25519, sends) per generated key.</summary>
    public TimeSpan BackgroundTimePerKey =>
        BatchesGenerated == 0 ? TimeSpan.Zero : BackgroundTime / (BatchesGenerated * DsigParameters.BatchKeys);
}
