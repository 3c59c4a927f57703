using Org.BouncyCastle.Math.EC.Rfc8032;
using Org.BouncyCastle.Security;

namespace Grid.Cli.Bench.Dsig;

/// <summary>Ed25519 in managed code (BouncyCastle's RFC 8032 implementation): a second baseline.</summary>
internal sealed class BouncyCastleEd25519Scheme : ISignatureScheme
{
    private readonly byte[] _secret = new byte[Ed25519.SecretKeySize];
    private readonly byte[] _public = new byte[Ed25519.PublicKeySize];
    private readonly Ed25519.PublicPoint _publicPoint;
    private readonly byte[][] _signatures;

    public BouncyCastleEd25519Scheme(IReadOnlyList<byte[]> messages)
    {
        Ed25519.GeneratePrivateKey(new SecureRandom(), _secret);
        Ed25519.GeneratePublicKey(_secret, 0, _public, 0);
        _publicPoint = Ed25519.ValidatePublicKeyFullExport(_public, 0)
            ?? throw new InvalidOperationException("BouncyCastle rejected its own public key");
        _signatures = [.. messages.Select(m =>
        {
            var signature = new byte[Ed25519.SignatureSize];
            Ed25519.Sign(_secret, 0, m, 0, m.Length, signature, 0);
            return signature;
        })];
    }

    public string Name => "ed25519-bouncycastle";

    public int SignatureBytes => Ed25519.SignatureSize;

    public void Prepare(int signs)
    {
    }

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) =>
        Ed25519.Sign(_secret, _public, message, signature);

    public bool Verify(ReadOnlySpan<byte> message, int sample) =>
        Ed25519.Verify(_signatures[sample], _publicPoint, message);

    public void Dispose() => Array.Clear(_secret);
}
