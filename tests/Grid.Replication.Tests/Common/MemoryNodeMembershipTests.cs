using System.Buffers.Binary;
using Grid.RdmaTransport;
using Grid.RdmaTransport.InProc;
using Grid.Replication.Common;

namespace Grid.Replication.Tests.Common;

/// <summary>
/// The membership record on three in-process memory nodes: formed only when all nodes answer,
/// never counting memory that came back empty, completed after a formation cut short.
/// </summary>
public sealed class MemoryNodeMembershipTests : IDisposable
{
    private const ulong Offset = 4096;
    private static readonly NodeId Client = new(1);
    private static readonly NodeId[] Nodes = [new(1000), new(1001), new(1002)];
    private readonly InProcFabric _fabric = new(new InProcFabricOptions { ClusterId = "members" });

    public MemoryNodeMembershipTests()
    {
        foreach (var node in Nodes)
        {
            _fabric.AddEndpoint(node).RegisterRegion(8192);
        }
    }

    public void Dispose() => _fabric.Dispose();

    [Fact]
    public async Task A_new_cluster_is_formed_when_every_node_answers_and_then_read_back()
    {
        var first = await ResolveAsync();

        Assert.True(first.Formed);
        Assert.Equal("members", first.ClusterId);
        for (var i = 0; i < Nodes.Length; i++)
        {
            Assert.Null(first.Nodes[i].Refusal);
            Assert.Equal(Identity(i), first.Nodes[i].Member);
            for (var j = 0; j < Nodes.Length; j++)
            {
                Assert.Equal(Identity(i).Incarnation, Word(j, i));
            }
        }

        var again = await ResolveAsync();
        Assert.False(again.Formed);
        Assert.Equal(first.Nodes, again.Nodes);
        Assert.True(first.LatestDeadline > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_node_that_restarted_empty_is_refused_and_the_record_is_not_changed()
    {
        await ResolveAsync();
        var old = Identity(2);
        _fabric.Faults.Restart(Nodes[2], keepMemory: false);

        var view = await ResolveAsync();

        Assert.False(view.Formed);
        Assert.Null(view.Nodes[0].Refusal);
        Assert.Null(view.Nodes[1].Refusal);
        Assert.Equal(old, view.Nodes[2].Member);
        Assert.Contains($"its memory (incarnation {Identity(2).IncarnationText}) is not the one the cluster's membership " +
            $"record names ({old.IncarnationText})", view.Nodes[2].Refusal, StringComparison.Ordinal);
        Assert.Equal(0UL, Word(2, 2));
        Assert.Equal(old.Incarnation, Word(0, 2));
    }

    [Fact]
    public async Task After_two_empty_restarts_no_start_counts_the_empty_nodes_whoever_answers()
    {
        await ResolveAsync();
        _fabric.Faults.Restart(Nodes[1], keepMemory: false);
        _fabric.Faults.Restart(Nodes[2], keepMemory: false);

        // Node 0, the only one with the data, is down: the two empty nodes look like a new cluster.
        _fabric.Faults.Crash(Nodes[0]);
        var withoutData = await ResolveAsync();
        Assert.False(withoutData.Formed);
        Assert.All(withoutData.Nodes, v => Assert.Contains(
            "hold no membership record, and 2 of 3 answer", v.Refusal, StringComparison.Ordinal));

        // Node 0 is back: it holds the record, so nothing is formed, and no majority names any memory.
        _fabric.Faults.Restart(Nodes[0], keepMemory: true);
        var withData = await ResolveAsync();
        Assert.False(withData.Formed);
        Assert.All(withData.Nodes, v => Assert.Contains("no majority of the membership record names", v.Refusal, StringComparison.Ordinal));
        Assert.Equal(0UL, Word(1, 1));
        Assert.Equal(0UL, Word(2, 2));
    }

    [Fact]
    public async Task A_formation_cut_short_is_completed_when_every_node_answers()
    {
        // A formation that reached node 0 only (the client crashed after its first batch).
        for (var i = 0; i < Nodes.Length; i++)
        {
            SetWord(0, i, Identity(i).Incarnation);
        }

        _fabric.Faults.Crash(Nodes[2]);
        var partial = await ResolveAsync();
        Assert.False(partial.Formed);
        Assert.All(partial.Nodes, v => Assert.NotNull(v.Refusal));

        _fabric.Faults.Restart(Nodes[2], keepMemory: true);
        var completed = await ResolveAsync();
        Assert.True(completed.Formed);
        Assert.All(completed.Nodes, v => Assert.Null(v.Refusal));
    }

    [Fact]
    public async Task A_node_that_is_down_is_named_by_the_record_and_not_refused()
    {
        await ResolveAsync();
        var identity = Identity(1);
        _fabric.Faults.Crash(Nodes[1]);

        var view = await ResolveAsync();

        Assert.Equal(identity, view.Nodes[1].Member);
        Assert.Null(view.Nodes[1].Refusal);
    }

    [Fact]
    public async Task A_slot_split_by_racing_formations_counts_the_value_a_majority_holds()
    {
        // Two clients formed at once and node 2 restarted between their reads: the first client's
        // CAS reached node 0 with node 2's old incarnation, the second's nodes 1 and 2 with the new.
        var stale = Identity(2).Incarnation ^ 0x5555;
        for (var i = 0; i < Nodes.Length; i++)
        {
            for (var j = 0; j < Nodes.Length; j++)
            {
                SetWord(j, i, i == 2 && j == 0 ? stale : Identity(i).Incarnation);
            }
        }

        var view = await ResolveAsync();

        Assert.False(view.Formed);
        Assert.All(view.Nodes, v => Assert.Null(v.Refusal));
        Assert.Equal(stale, Word(0, 2));
    }

    [Fact]
    public async Task A_rebuild_names_the_empty_memory_on_the_survivors_and_the_record_is_completed_on_it()
    {
        await ResolveAsync();
        var old = Identity(2);
        _fabric.Faults.Restart(Nodes[2], keepMemory: false);
        var empty = Identity(2);
        var survivors = new QueuePair?[] { _fabric.Connect(Client, Nodes[0]), _fabric.Connect(Client, Nodes[1]), null };

        // Only from the memory the record names: a stale replacement changes nothing.
        Assert.False(await MemoryNodeMembership.ReplaceAsync(
            survivors, Offset, 2, empty.Incarnation ^ 1, empty.Incarnation, TimeProvider.System, TimeSpan.FromSeconds(5)));
        Assert.Equal(old.Incarnation, Word(0, 2));
        Assert.Equal(old.Incarnation, await MemoryNodeMembership.NamedAsync(survivors, Offset, 2, TimeProvider.System, TimeSpan.FromSeconds(5)));

        Assert.True(await MemoryNodeMembership.ReplaceAsync(
            survivors, Offset, 2, old.Incarnation, empty.Incarnation, TimeProvider.System, TimeSpan.FromSeconds(5)));
        Assert.Equal(empty.Incarnation, Word(0, 2));
        Assert.Equal(empty.Incarnation, Word(1, 2));
        Assert.Equal(0UL, Word(2, 0));

        // The admitted node's empty record is filled in with what a majority names.
        var all = Nodes.Select(n => (QueuePair?)_fabric.Connect(Client, n)).ToArray();
        Assert.True(await MemoryNodeMembership.CompleteAsync(all, Offset, TimeProvider.System, TimeSpan.FromSeconds(5)));
        for (var slot = 0; slot < Nodes.Length; slot++)
        {
            Assert.Equal(Identity(slot).Incarnation, Word(2, slot));
        }

        var view = await ResolveAsync();
        Assert.All(view.Nodes, verdict => Assert.Null(verdict.Refusal));
    }

    [Fact]
    public async Task Completing_a_record_never_writes_a_value_no_majority_holds()
    {
        await ResolveAsync();
        SetWord(1, 2, 0);
        SetWord(2, 2, 0);
        SetWord(0, 1, 0);

        // Slot 2 is named by node 0 only: left empty. Slot 1 is named by nodes 1 and 2: filled on 0.
        var two = new QueuePair?[] { _fabric.Connect(Client, Nodes[0]), _fabric.Connect(Client, Nodes[1]), _fabric.Connect(Client, Nodes[2]) };
        Assert.False(await MemoryNodeMembership.CompleteAsync(two, Offset, TimeProvider.System, TimeSpan.FromSeconds(5)));
        Assert.Equal(0UL, Word(1, 2));
        Assert.Equal(0UL, Word(2, 2));
        Assert.Equal(Identity(1).Incarnation, Word(0, 1));
    }

    private async Task<MembershipView> ResolveAsync()
    {
        var pairs = Nodes.Select(n => _fabric.Faults.IsCrashed(n) ? null : _fabric.Connect(Client, n)).ToArray();
        return await MemoryNodeMembership.ResolveAsync(pairs, Offset, TimeProvider.System, TimeSpan.FromSeconds(5));
    }

    private MemoryNodeIdentity Identity(int node) => _fabric.GetEndpoint(Nodes[node]).Identity;

    private ulong Word(int holder, int slot) => _fabric.GetEndpoint(Nodes[holder]).Regions[0].ReadWord((long)Offset + slot * 8);

    private void SetWord(int holder, int slot, ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        _fabric.Connect(Client, Nodes[holder]).WriteAsync(0, Offset + (ulong)slot * 8, bytes).AsTask().GetAwaiter().GetResult();
    }
}
