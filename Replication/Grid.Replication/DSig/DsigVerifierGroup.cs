using Grid.RdmaTransport;

namespace Grid.Replication.DSig;

/// <summary>
/// A set of expected verifiers, the hint of <c>Sign(message, expectedVerifiers)</c>
/// (specs/dsig.md §1): the signer keeps keys ready per group, and each batch of a group goes to
/// every member first, so every member can verify that group's signatures fast. Get one from
/// <see cref="DsigSigner.Group"/>; it belongs to that signer.
/// </summary>
public sealed class DsigVerifierGroup
{
    internal DsigVerifierGroup(DsigSigner owner, IReadOnlyList<NodeId> verifiers)
    {
        Owner = owner;
        Verifiers = verifiers;
    }

    /// <summary>The members, sorted, without duplicates.</summary>
    public IReadOnlyList<NodeId> Verifiers { get; }

    internal DsigSigner Owner { get; }

    internal object Gate { get; } = new();

    /// <summary>Batches ready to sign with, oldest first; guarded by <see cref="Gate"/>.</summary>
    internal Queue<SignerBatch> Ready { get; } = new();

    /// <summary>The batch keys are taken from; replaced under <see cref="Gate"/>.</summary>
    internal SignerBatch? Current { get; set; }

    /// <summary>Keys ready in <see cref="Current"/> and <see cref="Ready"/> (approximate).</summary>
    internal int ReadyKeys;

    public override string ToString() => $"[{string.Join(", ", Verifiers)}]";
}
