using Grid.RdmaTransport;
using Grid.Replication.DSig;
using NSec.Cryptography;

namespace Grid.DSig.Tests;

/// <summary>
/// A few DSig processes in one test: each with an Ed25519 key, a signer and a verifier, joined
/// by an <see cref="InProcessDsigNetwork"/>. Planes are driven by hand (PrepareNow and
/// PreVerifyPending) unless a test starts them, so runs are deterministic.
/// </summary>
internal sealed class DsigCluster : IDisposable
{
    private readonly List<Key> _keys = [];

    public DsigCluster(int processes, DsigSignerOptions? signerOptions = null, DsigVerifierOptions? verifierOptions = null)
    {
        Network = new InProcessDsigNetwork();
        Directory = new DsigKeyDirectory();
        var ids = Enumerable.Range(1, processes).Select(i => new NodeId((uint)i)).ToArray();
        foreach (var id in ids)
        {
            var key = Key.Create(SignatureAlgorithm.Ed25519);
            _keys.Add(key);
            Directory.Add(id, key.PublicKey);
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var verifier = new DsigVerifier(ids[i], Directory, verifierOptions);
            Network.Register(ids[i], verifier);
            Verifiers.Add(verifier);
            Signers.Add(new DsigSigner(ids[i], _keys[i], Network.ForSigner(ids[i]), signerOptions ?? SmallSigner()));
        }
    }

    public InProcessDsigNetwork Network { get; }

    public DsigKeyDirectory Directory { get; }

    public List<DsigSigner> Signers { get; } = [];

    public List<DsigVerifier> Verifiers { get; } = [];

    public Key KeyOf(int process) => _keys[process];

    public static NodeId Id(int process) => new((uint)(process + 1));

    /// <summary>One batch ahead per group keeps tests fast.</summary>
    public static DsigSignerOptions SmallSigner() => new() { PreparedKeysPerGroup = DsigParameters.BatchKeys };

    /// <summary>Prepares keys everywhere and lets every verifier pre-verify what arrived.</summary>
    public void Settle()
    {
        foreach (var signer in Signers)
        {
            signer.PrepareNow();
        }

        foreach (var verifier in Verifiers)
        {
            verifier.PreVerifyPending();
        }
    }

    public void Dispose()
    {
        foreach (var signer in Signers)
        {
            signer.Dispose();
        }

        foreach (var verifier in Verifiers)
        {
            verifier.Dispose();
        }

        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}
