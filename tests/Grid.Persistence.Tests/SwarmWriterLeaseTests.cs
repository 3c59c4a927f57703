using Grid.Persistence.MemoryNodes;
using Grid.Persistence.Swarm;
using Grid.RdmaTransport;
using Grid.Replication.Swarm;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace Grid.Persistence.Tests;

/// <summary>Silos that lease their SWARM writer ids (WriterId = 0) instead of being given one.</summary>
public sealed class SwarmWriterLeaseTests
{
    private const string StateName = "state";

    private static void Leased(SwarmGrainStorageOptions options)
    {
        options.WriterId = 0;
        options.WriterLease = new WriterLeaseOptions
        {
            Duration = TimeSpan.FromSeconds(3),
            RenewInterval = TimeSpan.FromSeconds(1),
            ClockSkewAllowance = TimeSpan.Zero,
        };
    }

    [Fact]
    public async Task Silos_with_the_same_options_lease_distinct_ids_and_see_each_others_writes()
    {
        await using var swarm = await SwarmCluster.StartAsync(2, Leased);
        // Silos that start together may race for id 1; the loser takes another free one.
        var ids = new[] { swarm.Storage(0).WriterId!.Value, swarm.Storage(1).WriterId!.Value };
        Assert.NotEqual(ids[0], ids[1]);
        Assert.All(ids, id => Assert.InRange(id, 1, SwarmGrainStorageOptions.DefaultLayout().MaxWriters));
        Assert.Contains(1, ids);

        var grain = GrainId.Create("leases", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>();
        await swarm.Storage(0).ReadStateAsync(StateName, grain, state);
        state.State!.Text = "written by silo 0";
        await swarm.Storage(0).WriteStateAsync(StateName, grain, state);

        var read = new GrainState<TestState>();
        await swarm.Storage(1).ReadStateAsync(StateName, grain, read);
        Assert.Equal("written by silo 0", read.State!.Text);
    }

    [Fact]
    public async Task A_silo_whose_id_is_taken_leases_another_and_keeps_writing()
    {
        await using var swarm = await SwarmCluster.StartAsync(2, Leased);
        var silo0 = swarm.Storage(0);
        var grain = GrainId.Create("leases", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>();
        await silo0.ReadStateAsync(StateName, grain, state);
        state.State!.Text = "before";
        await silo0.WriteStateAsync(StateName, grain, state);
        var lostId = silo0.WriterId!.Value;

        // Another client takes silo 0's id (as a silo configured with that id would).
        var layout = new SwarmLayout(SwarmGrainStorageOptions.DefaultLayout().ToSwarmOptions());
        var pairs = await swarm.MemoryNodes.ConnectAsync(new NodeId(4242),
            new MemoryNodeConnectOptions(layout.RegionBytes, (ulong)layout.MembershipOffset, new ReconnectOptions(), NullLogger.Instance),
            CancellationToken.None);
        await using var taker = await WriterLease.TakeAsync(lostId, pairs, layout);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (silo0.WriterId == lostId && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.NotEqual(lostId, silo0.WriterId);
        Assert.NotEqual(swarm.Storage(1).WriterId, silo0.WriterId);
        Assert.Null(silo0.WriterIdProblem);

        // The same activation keeps its ETag and writes on under the new id.
        state.State.Text = "after";
        await silo0.WriteStateAsync(StateName, grain, state);
        var read = new GrainState<TestState>();
        await swarm.Storage(1).ReadStateAsync(StateName, grain, read);
        Assert.Equal("after", read.State!.Text);
    }

    [Fact]
    public void Writer_lease_options_are_checked_at_start()
    {
        var options = new SwarmGrainStorageOptions { WriterLease = new WriterLeaseOptions { RenewInterval = TimeSpan.FromSeconds(20) } };
        var ex = Assert.Throws<Orleans.Runtime.OrleansConfigurationException>(new SwarmGrainStorageOptionsValidator(options, "swarm").ValidateConfiguration);
        Assert.Contains("WriterLease", ex.Message, StringComparison.Ordinal);
    }
}
