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
    /// Creates a key pair; refuses to overwrite an existing private or public key file
    /// (<see cref="IOException"/>), since the signatures made under the old key would stop verifying.
    /// </summary>
    public static void Generate(string privateKeyPath, string publicKeyPath)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPath);
        ArgumentNullException.ThrowIfNull(publicKeyPath);
        using var key = Key.Create(
            SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        // Both files are created new before anything is written: an existing public key is
        // as much another process's identity as an existing private key.
        using var privateFile = new FileStream(privateKeyPath, NewFile(ownerOnly: true));
        FileStream publicFile;
        try
        {
            publicFile = new FileStream(publicKeyPath, NewFile(ownerOnly: false));
        }
        catch
        {
            privateFile.Dispose();
            File.Delete(privateKeyPath);
            throw;
        }

        using (publicFile)
        {
            try
            {
                privateFile.Write(key.Export(KeyBlobFormat.PkixPrivateKeyText));
                privateFile.Flush(flushToDisk: true);
                publicFile.Write(key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText));
                publicFile.Flush(flushToDisk: true);
            }
            catch
            {
                // No half-made pair: it could not be used, and would block the retry.
                privateFile.Dispose();
                publicFile.Dispose();
                File.Delete(privateKeyPath);
                File.Delete(publicKeyPath);
                throw;
            }
        }
    }

    /// <summary>Loads a private key (not exportable once loaded).</summary>
    public static Key LoadPrivateKey(string path)
    {
        var blob = ReadPem(path);
        if (!Key.TryImport(SignatureAlgorithm.Ed25519, blob, KeyBlobFormat.PkixPrivateKeyText, out var key))
        {
            throw new InvalidDataException(
                $"'{path}' is not an Ed25519 private key in PEM (PKCS#8) form; make one with `grid dsig keygen`");
        }

        return key!;
    }

    public static PublicKey LoadPublicKey(string path)
    {
        var blob = ReadPem(path);
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, blob, KeyBlobFormat.PkixPublicKeyText, out var key))
        {
            throw new InvalidDataException(
                $"'{path}' is not an Ed25519 public key in PEM (SPKI) form; make one with `grid dsig keygen`");
        }

        return key!;
    }

    private static FileStreamOptions NewFile(bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        return options;
    }

    /// <summary>The file's bytes without a UTF-8 byte-order mark, which some editors add and the PEM parser refuses.</summary>
    private static byte[] ReadPem(string path)
    {
        var blob = File.ReadAllBytes(path);
        return blob.AsSpan().StartsWith("\uFEFF"u8) ? blob[3..] : blob;
    }
}
