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

    public void Add(NodeId node, PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Algorithm != SignatureAlgorithm.Ed25519)
        {
            throw new ArgumentException("DSig long-term keys are Ed25519", nameof(publicKey));
        }

        _keys[node] = publicKey;
    }

    public bool TryGet(NodeId node, out PublicKey publicKey) => _keys.TryGetValue(node, out publicKey!);

    /// <summary>Loads <c>node id → public key file</c> pairs.</summary>
    public static DsigKeyDirectory FromFiles(IEnumerable<KeyValuePair<NodeId, string>> publicKeyFiles)
    {
        ArgumentNullException.ThrowIfNull(publicKeyFiles);
        var directory = new DsigKeyDirectory();
        foreach (var (node, path) in publicKeyFiles)
        {
            directory.Add(node, DsigKeyFiles.LoadPublicKey(path));
        }

        return directory;
    }
}
