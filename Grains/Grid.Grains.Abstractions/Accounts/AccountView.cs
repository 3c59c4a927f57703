namespace Grid.Grains.Accounts;

/// <summary>
/// What an account shows: balance, the money it has sent that the receiver has not yet
/// acknowledged (<see cref="InFlight"/>, still owned by the outbox), and recent history.
/// </summary>
[GenerateSerializer]
[Alias("grid.account-view")]
[Immutable]
public sealed record AccountView(
    string AccountId,
    bool IsOpen,
    long Balance,
    long InFlight,
    int PendingCredits,
    IReadOnlyList<AccountEntry> RecentHistory);
