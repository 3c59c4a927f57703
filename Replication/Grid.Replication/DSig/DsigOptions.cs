namespace Grid.Replication.DSig;

/// <summary>
/// A process's DSig configuration (specs/dsig.md §1, §9: the paper's TOML lists processes,
/// signers and verifiers; ours names key files). Bound from the cluster configuration.
/// </summary>
public sealed class DsigOptions
{
    /// <summary>This process's node id.</summary>
    public uint NodeId { get; set; }

    /// <summary>This process's Ed25519 private key (PEM, <see cref="DsigKeyFiles"/>).</summary>
    public string PrivateKeyFile { get; set; } = "";

    /// <summary>Every other process's public key file, by node id.</summary>
    public Dictionary<uint, string> PublicKeyFiles { get; } = [];

    /// <summary>The batch-sequence high-water mark (<see cref="DsigSignerOptions.SequenceFilePath"/>); required.</summary>
    public string SequenceFile { get; set; } = "";

    public DsigSignerOptions Signer { get; } = new();

    public DsigVerifierOptions Verifier { get; } = new();

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(PrivateKeyFile))
        {
            throw new ArgumentException("DSig needs PrivateKeyFile, this process's Ed25519 key");
        }

        if (string.IsNullOrWhiteSpace(SequenceFile))
        {
            throw new ArgumentException(
                "DSig needs SequenceFile, where the signer records used batch numbers across restarts");
        }
    }
}
