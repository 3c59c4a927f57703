using NSec.Cryptography;

namespace Grid.Cli.Bench.Dsig;

/// <summary>Ed25519 in libsodium through NSec: the baseline DSig must beat (specs/dsig.md §8).</summary>
internal sealed class NSecEd25519Scheme : ISignatureScheme
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly byte[][] _signatures;

    public NSecEd25519Scheme(IReadOnlyList<byte[]> messages)
    {
        _signatures = [.. messages.Select(m => SignatureAlgorithm.Ed25519.Sign(_key, m))];
    }

    public string Name => "ed25519-nsec";

    public int SignatureBytes => 64;

    public void Prepare(int signs)
    {
    }

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) =>
        SignatureAlgorithm.Ed25519.Sign(_key, message, signature);

    public bool Verify(ReadOnlySpan<byte> message, int sample) =>
        SignatureAlgorithm.Ed25519.Verify(_key.PublicKey, message, _signatures[sample]);

    public void Dispose() => _key.Dispose();
}
