using Grid.Grains.Accounts;
using Grid.Grains.Tests.Cluster;

namespace Grid.Grains.Tests.Accounts;

/// <summary>Helpers for account tests: fresh ids and opened, funded accounts.</summary>
internal static class Accounts
{
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static async Task<IAccountGrain> OpenAsync(
        this ClusterFixture fixture, string prefix, long deposit = 0)
    {
        var account = fixture.Grains.GetGrain<IAccountGrain>(NewId(prefix));
        await account.Open();
        if (deposit > 0)
            await account.Deposit(NewId("seed"), deposit);
        return account;
    }

    public static string Id(this IAccountGrain account) => account.GetPrimaryKeyString();
}
