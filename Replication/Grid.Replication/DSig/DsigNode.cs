using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// DSig for one process: its signer and its verifier behind the small API the rest of the grid
/// uses (specs/dsig.md §1) — <see cref="Sign"/>, <see cref="Verify"/>,
/// <see cref="CanVerifyFast"/> — with keys loaded from the files <see cref="DsigOptions"/> names.
/// Batches from other processes come in through <see cref="Receive"/>.
/// </summary>
public sealed class DsigNode : IDisposable
{
    private readonly NSec.Cryptography.Key _privateKey;

    public DsigNode(DsigOptions options, IDsigBatchTransport transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Self = new NodeId(options.NodeId);
        _privateKey = DsigKeyFiles.LoadPrivateKey(options.PrivateKeyFile);
        try
        {
            var keys = DsigKeyDirectory.FromFiles(
                options.PublicKeyFiles.Select(p => KeyValuePair.Create(new NodeId(p.Key), p.Value)));
            if (keys.TryGet(Self, out var listed) && !listed.Equals(_privateKey.PublicKey))
            {
                // Everyone else would reject this process's batches and signatures.
                throw new InvalidDataException(
                    $"PrivateKeyFile '{options.PrivateKeyFile}' does not match {Self}'s public key file "
                    + $"'{options.PublicKeyFiles[options.NodeId]}'");
            }

            options.Signer.SequenceFilePath = options.SequenceFile;
            Signer = new DsigSigner(Self, _privateKey, transport, options.Signer);
            Verifier = new DsigVerifier(Self, keys, options.Verifier);
        }
        catch
        {
            Signer?.Dispose();
            _privateKey.Dispose();
            throw;
        }
    }

    public NodeId Self { get; }

    public DsigSigner Signer { get; }

    public DsigVerifier Verifier { get; }

    /// <summary>Starts both background planes.</summary>
    public void Start()
    {
        Verifier.Start();
        Signer.Start();
    }

    /// <summary>The handle for a set of expected verifiers; keep it and pass it to <see cref="Sign"/>.</summary>
    public DsigVerifierGroup Group(IEnumerable<NodeId> expectedVerifiers) => Signer.Group(expectedVerifiers);

    public byte[] Sign(ReadOnlySpan<byte> message, DsigVerifierGroup expectedVerifiers, DsigPurpose purpose) =>
        Signer.Sign(message, expectedVerifiers, purpose);

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, NodeId signer, DsigPurpose purpose) =>
        Verifier.Verify(message, signature, signer, purpose);

    public bool CanVerifyFast(ReadOnlySpan<byte> signature, NodeId signer) => Verifier.CanVerifyFast(signature, signer);

    /// <summary>A batch message from another process arrived over the transport.</summary>
    public void Receive(NodeId from, byte[] batchMessage) => Verifier.Receive(from, batchMessage);

    /// <summary>Stops both planes and erases the signer's secrets; idempotent.</summary>
    public void Dispose()
    {
        Signer.Dispose();
        Verifier.Dispose();
        _privateKey.Dispose();
    }
}
