using NSec.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>
/// Long-term Ed25519 key files of a process (specs/dsig.md §1, §10): PEM text
/// (<c>-----BEGIN PRIVATE KEY-----</c>, PKCS#8 / <c>-----BEGIN PUBLIC KEY-----</c>, SPKI), so
/// standard tools read them too. The private key file is created readable by its owner only.
/// </summary>
public static class DsigKeyFiles
{
    /// <summary>
    /// Creates a key pair; refuses to overwrite an existing private key (<see cref="IOException"/>),
    /// since the signatures made under it would stop verifying.
    /// </summary>
    public static void Generate(string privateKeyPath, string publicKeyPath)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPath);
        ArgumentNullException.ThrowIfNull(publicKeyPath);
        using var key = Key.Create(
            SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(privateKeyPath, options))
        {
            stream.Write(key.Export(KeyBlobFormat.PkixPrivateKeyText));
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.WriteAllBytes(publicKeyPath, key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText));
        }
        catch
        {
            // No half-made pair: a private key without its public half could not be used, and
            // would block the retry (the private key is never overwritten).
            File.Delete(privateKeyPath);
            throw;
        }
    }

    /// <summary>Loads a private key (not exportable once loaded).</summary>
    public static Key LoadPrivateKey(string path)
    {
        var blob = File.ReadAllBytes(path);
        if (!Key.TryImport(SignatureAlgorithm.Ed25519, blob, KeyBlobFormat.PkixPrivateKeyText, out var key))
        {
            throw new InvalidDataException($"'{path}' is not an Ed25519 private key in PEM (PKCS#8) form");
        }

        return key!;
    }

    public static PublicKey LoadPublicKey(string path)
    {
        var blob = File.ReadAllBytes(path);
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, blob, KeyBlobFormat.PkixPublicKeyText, out var key))
        {
            throw new InvalidDataException($"'{path}' is not an Ed25519 public key in PEM (SPKI) form");
        }

        return key!;
    }
}
