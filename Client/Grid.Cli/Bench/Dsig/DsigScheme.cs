using System.Diagnostics;
using Grid.RdmaTransport;
using Grid.Replication.DSig;
using NSec.Cryptography;

namespace Grid.Cli.Bench.Dsig;

/// <summary>
/// DSig in one process (specs/dsig.md): a signer, the verifier it expects (fed batches through
/// an <see cref="InProcessDsigNetwork"/> and pre-verified before the measured ops), and the
/// slow path. The background planes are driven by hand between rounds, not by their threads,
/// so on a 2-core machine they never steal time from the measured foreground; their cost is
/// measured separately and reported per signature.
/// </summary>
internal sealed class DsigScheme : ISignatureScheme
{
    private static readonly NodeId SignerNode = new(1);
    private static readonly NodeId VerifierNode = new(2);

    /// <summary>Receives the sign rows' batches; not registered, so they are dropped.</summary>
    private static readonly NodeId SinkNode = new(3);

    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly DsigSigner _signer;
    private readonly DsigVerifier _verifier;
    private readonly DsigVerifierGroup _signGroup;
    private readonly byte[][] _signatures;
    private readonly RecordingTransport _transport;
    private DsigSignerStatistics _measuredFrom;

    public DsigScheme(IReadOnlyList<byte[]> messages, int signsPerRoundMax)
    {
        var directory = new DsigKeyDirectory();
        directory.Add(SignerNode, _key.PublicKey);
        var network = new InProcessDsigNetwork();
        _verifier = new DsigVerifier(VerifierNode, directory, new DsigVerifierOptions
        {
            CachedBatchesPerSigner = 64,
            InboxCapacity = 64,
        });
        network.Register(VerifierNode, _verifier);
        var batches = (Math.Max(signsPerRoundMax, messages.Count) / DsigParameters.BatchKeys) + 2;
        _transport = new RecordingTransport(network.ForSigner(SignerNode));
        _signer = new DsigSigner(SignerNode, _key, _transport, new DsigSignerOptions
        {
            PreparedKeysPerGroup = batches * DsigParameters.BatchKeys,
        });

        // Signatures for the verify rows, from batches the verifier has pre-verified.
        var verifyGroup = _signer.Group([VerifierNode]);
        _signer.PrepareNow();
        _verifier.PreVerifyPending();
        _signatures = [.. messages.Select(m => _signer.Sign(m, verifyGroup, DsigPurpose.Test))];
        _signGroup = _signer.Group([SinkNode]);
    }

    public string Name => "dsig";

    public int SignatureBytes => DsigParameters.SignatureBytes;

    /// <summary>
    /// The signer's background work per one-time key (keygen, tree, Ed25519, send), over the
    /// batches made since <see cref="MeasureBackground"/>.
    /// </summary>
    public TimeSpan SignerBackgroundPerSignature
    {
        get
        {
            var now = _signer.Statistics;
            var batches = now.BatchesGenerated - _measuredFrom.BatchesGenerated;
            return batches == 0 ? TimeSpan.Zero
                : (now.BackgroundTime - _measuredFrom.BackgroundTime) / (batches * DsigParameters.BatchKeys);
        }
    }

    /// <summary>The verifier's background work per signature: rebuild a batch's tree and check its root, per key.</summary>
    public TimeSpan VerifierBackgroundPerSignature { get; private set; }

    /// <summary>
    /// After the warm-up: times the verifier's pre-verification of a batch and starts counting
    /// the signer's background work, so neither includes the first, unoptimised compilations.
    /// </summary>
    public void MeasureBackground()
    {
        const int repetitions = 50;
        var message = _transport.LastBatch ?? throw new InvalidOperationException("no batch was sent");
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < repetitions; i++)
        {
            _ = VerifiedBatch.TryCreate(SignerNode, _key.PublicKey, message)
                ?? throw new InvalidOperationException("a batch failed pre-verification");
        }

        VerifierBackgroundPerSignature =
            Stopwatch.GetElapsedTime(started) / (repetitions * DsigParameters.BatchKeys);
        _measuredFrom = _signer.Statistics;
    }

    /// <summary>Batch bytes sent to each expected verifier, per signature.</summary>
    public static double BackgroundBytesPerSignature => (double)DsigParameters.BatchMessageBytes / DsigParameters.BatchKeys;

    public void Prepare(int signs) => _signer.PrepareNow();

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) =>
        _signer.Sign(message, _signGroup, DsigPurpose.Test, signature);

    public bool Verify(ReadOnlySpan<byte> message, int sample) =>
        _verifier.VerifyDetailed(message, _signatures[sample], SignerNode, DsigPurpose.Test) == DsigVerifyPath.Fast;

    /// <summary>The slow path with nothing remembered: a verifier that never saw the batch.</summary>
    public bool VerifySlow(ReadOnlySpan<byte> message, int sample) =>
        _verifier.VerifySlow(message, _signatures[sample], SignerNode, DsigPurpose.Test, rememberRoots: false);

    public void Dispose()
    {
        _signer.Dispose();
        _verifier.Dispose();
        _key.Dispose();
    }

    /// <summary>Forwards batches and keeps the last one, for timing pre-verification.</summary>
    private sealed class RecordingTransport(IDsigBatchTransport inner) : IDsigBatchTransport
    {
        public byte[]? LastBatch { get; private set; }

        public ValueTask SendAsync(NodeId verifier, ReadOnlyMemory<byte> batchMessage, CancellationToken cancellationToken)
        {
            LastBatch = batchMessage.ToArray();
            return inner.SendAsync(verifier, batchMessage, cancellationToken);
        }
    }
}
