namespace Grid.Replication.DSig;

/// <summary>
/// What a signature is for: half of the domain-separation tag hashed into every message digest
/// (with the signer's id, specs/dsig.md §10), so a signature made for one protocol can never be
/// accepted by another, nor claimed for another signer. Values are wire constants: append only.
/// </summary>
public readonly record struct DsigPurpose(uint Value)
{
    /// <summary>Tests and benchmarks.</summary>
    public static readonly DsigPurpose Test = new(1);

    /// <summary>uBFT's slow path (consistent tail broadcast).</summary>
    public static readonly DsigPurpose UbftSlowPath = new(2);

    /// <summary>Astro's payment broadcast.</summary>
    public static readonly DsigPurpose Astro = new(3);

    /// <summary>Signed audit receipts of grain operations.</summary>
    public static readonly DsigPurpose AuditReceipt = new(4);

    public override string ToString() => $"purpose-{Value}";
}
