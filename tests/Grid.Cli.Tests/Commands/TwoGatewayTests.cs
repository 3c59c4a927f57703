using System.Text;
using Grid.Cli.Commands;
using Grid.Cli.Tests.Cluster;
using Grid.Client;
using Grid.Grains.Kv;
using Orleans.Core.Internal;

namespace Grid.Cli.Tests.Commands;

/// <summary>
/// The fixture's two silos share one set of memory nodes: what a client writes through one
/// gateway, a client of the other reads, also after the grain moved to the other silo (where
/// the other SWARM writer reads the first one's record from the memory nodes).
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class TwoGatewayTests(SiloFixture fixture)
{
    private const int MoveAttemptsMax = 50;

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
    public async Task State_written_on_one_silo_is_read_and_overwritten_on_the_other()
    {
        await using var a = await GridClient.ConnectAsync(
            GridClientOptions.ForGateways(fixture.Silo.Gateway), Cancellation);
        await using var b = await GridClient.ConnectAsync(
            GridClientOptions.ForGateways(fixture.SecondSilo.Gateway), Cancellation);
        var management = a.ClusterClient.GetGrain<IManagementGrain>(0);

        // Placement picks a silo per activation, so keys are tried until one reactivates on the
        // other silo: only then does the other SWARM writer read the first one's record.
        var moved = false;
        for (var attempt = 0; attempt < MoveAttemptsMax && !moved; attempt++)
        {
            var key = Keys.New($"move-{attempt}");
            var grain = a.ClusterClient.GetGrain<IKvGrain>(key);
            Assert.Equal(1, await a.Kv.PutAsync(key, $"written through A {attempt}"));
            var first = await WhereAsync(management, grain);
            Assert.NotNull(first);

            await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            await WaitUntilDeactivatedAsync(management, grain);

            var entry = await b.Kv.GetAsync(key);
            Assert.Equal($"written through A {attempt}", Encoding.UTF8.GetString(entry.Value!));
            Assert.Equal(1, entry.Version);
            Assert.Equal(2, await b.Kv.PutAsync(key, $"written through B {attempt}"));
            var reread = await a.Kv.GetAsync(key);
            Assert.Equal($"written through B {attempt}", Encoding.UTF8.GetString(reread.Value!));
            Assert.Equal(2, reread.Version);
            moved = !Equals(first, await WhereAsync(management, grain));
        }

        Assert.True(moved, $"no grain reactivated on the other silo in {MoveAttemptsMax} tries");
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
