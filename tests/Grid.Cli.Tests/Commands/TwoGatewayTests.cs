using System.Text;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;
using Grid.Client;
using Grid.Grains;
using Grid.Grains.Kv;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace Grid.Cli.Tests.Commands;

/// <summary>
/// The fixture's two silos share one set of memory nodes: what a client writes through one
/// gateway, a client of the other reads, and each silo's SWARM writer reads and overwrites the
/// records the other one wrote.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class TwoGatewayTests(SiloFixture fixture)
{
    /// <summary>The state name of <c>KvGrain</c>'s <c>[PersistentState("kv", ...)]</c>.</summary>
    private const string KvStateName = "kv";

    private static readonly TimeSpan DeactivationWait = TimeSpan.FromSeconds(10);

    private CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_written_through_gateway_A_reads_back_through_gateway_B()
    {
        var key = Keys.New("ab");

        var put = await Cli.RunAsync("kv", "put", key, "from A", "--gateway", fixture.Silo.Gateway);
        var get = await Cli.RunAsync("kv", "get", key, "--gateway", fixture.SecondSilo.Gateway);
        var version = await Cli.RunAsync("kv", "version", key, "--gateway", fixture.SecondSilo.Gateway);

        Assert.True(put.ExitCode == ExitCodes.Success, put.ToString());
        Assert.True(get.ExitCode == ExitCodes.Success, get.ToString());
        Assert.Equal("from A", get.Output.TrimEnd());
        Assert.Equal("1", version.Output.Trim());
    }

    [Fact]
    public async Task State_written_on_one_silo_is_read_and_overwritten_by_the_other_silo_s_writer()
    {
        await using var a = await GridClient.ConnectAsync(
            GridClientOptions.ForGateways(fixture.Silo.Gateway), Cancellation);
        var management = a.ClusterClient.GetGrain<IManagementGrain>(0);
        var key = Keys.New("cross");
        var grain = a.ClusterClient.GetGrain<IKvGrain>(key);
        Assert.Equal(1, await a.Kv.PutAsync(key, "written by the grain"));
        var host = await WhereAsync(management, grain);
        Assert.NotNull(host);

        // The silo that does not host the grain reads and overwrites its record through its own
        // SWARM writer. The test used to wait for a reactivation on the other silo instead, but
        // where a grain reactivates is placement's choice: in some runs every reactivation went
        // back to the same silo (20 keys in a row, with default and with random placement).
        var other = host.Endpoint.Port == fixture.Silo.SiloPort ? fixture.SecondSilo : fixture.Silo;
        var storage = other.Services.GetRequiredKeyedService<IGrainStorage>(GridStorage.Name);
        var state = new GrainState<KvState>();
        await storage.ReadStateAsync(KvStateName, grain.GetGrainId(), state);
        Assert.True(state.RecordExists);
        Assert.Equal("written by the grain", Encoding.UTF8.GetString(state.State!.Value!));
        Assert.Equal(1, state.State.Version);
        state.State.Value = Encoding.UTF8.GetBytes("written by the other silo");
        state.State.Version = 2;
        await storage.WriteStateAsync(KvStateName, grain.GetGrainId(), state);

        // Reactivated (on either silo), the grain reads the other writer's record and writes over it.
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await WaitUntilDeactivatedAsync(management, grain);
        var entry = await a.Kv.GetAsync(key);
        Assert.Equal("written by the other silo", Encoding.UTF8.GetString(entry.Value!));
        Assert.Equal(2, entry.Version);
        Assert.Equal(3, await a.Kv.PutAsync(key, "written by the grain again"));

        var reread = new GrainState<KvState>();
        await storage.ReadStateAsync(KvStateName, grain.GetGrainId(), reread);
        Assert.Equal("written by the grain again", Encoding.UTF8.GetString(reread.State!.Value!));
        Assert.Equal(3, reread.State.Version);
    }

    /// <summary>The silo holding the grain's activation, from the silos' own catalogs (the
    /// directory's answer, GetActivationAddress, may be stale).</summary>
    private static async Task<SiloAddress?> WhereAsync(IManagementGrain management, IKvGrain grain)
    {
        var id = grain.GetGrainId();
        var activations = await management.GetDetailedGrainStatistics(null, null);
        return activations.SingleOrDefault(a => a.GrainId == id)?.SiloAddress;
    }

    private async Task WaitUntilDeactivatedAsync(IManagementGrain management, IKvGrain grain)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (await WhereAsync(management, grain) is not null)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(start) < DeactivationWait,
                $"{grain.GetPrimaryKeyString()} still active after {DeactivationWait}");
            await Task.Delay(TimeSpan.FromMilliseconds(20), Cancellation);
        }
    }
}
