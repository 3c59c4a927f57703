using System.Collections.Concurrent;
using Grid.RdmaTransport;
using NSec.Cryptography;

namespace Grid.Replication.DSig;

/// <summary>
/// The long-term Ed25519 public keys of the processes whose signatures this process verifies,
/// by node id (specs/dsig.md §4). Usually loaded from the files the cluster configuration names
/// (<see cref="DsigKeyFiles"/>). Thread-safe.
/// </summary>
public sealed class DsigKeyDirectory
{
    private readonly ConcurrentDictionary<NodeId, PublicKey> _keys = new();

    /// <summary>
    /// Registers <paramref name="node"/>'s key. Adding the same key again is a no-op; a different
    /// key for a known node is refused (<see cref="InvalidOperationException"/>): batches and
    /// remembered roots already verified under the old key would keep verifying, so a key change
    /// means a new directory and verifier.
    /// </summary>
    public void Add(NodeId node, PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Algorithm != SignatureAlgorithm.Ed25519)
        {
            throw new ArgumentException("DSig long-term keys are Ed25519", nameof(publicKey));
        }

        var known = _keys.GetOrAdd(node, publicKey);
        if (!known.Equals(publicKey))
        {
            throw new InvalidOperationException($"{node} already has a different DSig public key");
        }
    }

    public bool TryGet(NodeId node, out PublicKey publicKey) => _keys.TryGetValue(node, out publicKey!);

    /// <summary>Loads <c>node id → public key file</c> pairs.</summary>
    public static DsigKeyDirectory FromFiles(IEnumerable<KeyValuePair<NodeId, string>> publicKeyFiles)
    {
        ArgumentNullException.ThrowIfNull(publicKeyFiles);
        var directory = new DsigKeyDirectory();
        foreach (var (node, path) in publicKeyFiles)
        {
            PublicKey key;
            try
            {
                key = DsigKeyFiles.LoadPublicKey(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new InvalidDataException($"the DSig public key of {node}: {ex.Message}", ex);
            }

            directory.Add(node, key);
        }

        return directory;
    }
}
