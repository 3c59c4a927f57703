using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// The shared secret of a cluster. Every process that may open or serve a connection holds it;
/// the TCP handshake proves possession both ways with HMAC-SHA256 over fresh nonces, so the key
/// never crosses the wire. The secret is any text of at least <see cref="MinimumSecretBytes"/>
/// bytes (for example 32 random bytes in base64); it is hashed into the 32-byte key.
/// </summary>
public sealed class ClusterKey
{
    public const int MinimumSecretBytes = 16;

    private static readonly byte[] KeyLabel = "grid-cluster-key-v1"u8.ToArray();
    private readonly byte[] _key;

    private ClusterKey(byte[] key) => _key = key;

    public static ClusterKey FromSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinimumSecretBytes)
        {
            throw new ArgumentException(
                $"a cluster key must have at least {MinimumSecretBytes} bytes; this one has {secret.Length}",
                nameof(secret));
        }

        var material = new byte[KeyLabel.Length + secret.Length];
        KeyLabel.CopyTo(material, 0);
        secret.CopyTo(material.AsSpan(KeyLabel.Length));
        var key = SHA256.HashData(material);
        CryptographicOperations.ZeroMemory(material);
        return new ClusterKey(key);
    }

    public static ClusterKey FromSecret(string secret) =>
        FromSecret(Encoding.UTF8.GetBytes(secret.Trim()));

    /// <summary>Reads the secret from a file (surrounding white space is ignored).</summary>
    public static ClusterKey FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"cluster key file '{path}' does not exist", path);
        }

        return FromSecret(File.ReadAllText(path));
    }

    /// <summary>Reads the secret from an environment variable.</summary>
    public static ClusterKey FromEnvironment(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"environment variable {variable} holds no cluster key");
        }

        return FromSecret(value);
    }

    /// <summary>A fresh random secret in base64, for key files.</summary>
    public static string GenerateSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public override string ToString() => "ClusterKey(redacted)";

    /// <summary>HMAC over who proves what to whom, bound to both nonces.</summary>
    internal byte[] Proof(
        ReadOnlySpan<byte> role,
        NodeId client,
        NodeId server,
        ReadOnlySpan<byte> clientNonce,
        ReadOnlySpan<byte> serverNonce)
    {
        var data = new byte[role.Length + 8 + clientNonce.Length + serverNonce.Length];
        role.CopyTo(data);
        var at = role.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), client.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at + 4), server.Value);
        clientNonce.CopyTo(data.AsSpan(at + 8));
        serverNonce.CopyTo(data.AsSpan(at + 8 + clientNonce.Length));
        return HMACSHA256.HashData(_key, data);
    }
}
