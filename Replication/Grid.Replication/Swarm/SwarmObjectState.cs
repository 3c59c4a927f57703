namespace Grid.Replication.Swarm;

/// <summary>
/// What one client knows of one object: its own slot (spec §2.4 <c>last[o]</c>) and, per memory
/// node, the value it expects there for its next CAS. Ops of one client on one object run one
/// at a time, including the previous write's background step.
/// </summary>
internal sealed class SwarmObjectState
{
    public SwarmObjectState(int memoryNodes) => Expected = new ulong[memoryNodes];

    /// <summary>The client's own final word for this object (0: it never wrote it).</summary>
    public ulong Last { get; set; }

    /// <summary>Per memory node, what the client's slot holds once its posted ops have run.</summary>
    public ulong[] Expected { get; }

    public Task Background { get; set; } = Task.CompletedTask;

    public bool Busy { get; set; }
}
