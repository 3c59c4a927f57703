using Orleans.Runtime;

namespace Grid.Client.Status;

/// <summary>The cluster's silos, through Orleans' management grain.</summary>
public sealed class GridStatus
{
    private readonly IGrainFactory _grains;

    public GridStatus(IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
    }

    /// <summary>
    /// Every silo in the membership table (dead ones too, unless <paramref name="onlyActive"/>),
    /// active first, then by address.
    /// </summary>
    public async Task<IReadOnlyList<SiloInfo>> SilosAsync(bool onlyActive = false)
    {
        var management = _grains.GetGrain<IManagementGrain>(0);
        var detailed = await management.GetDetailedHosts(onlyActive).ConfigureAwait(false);
        var silos = new List<SiloInfo>();
        if (detailed is { Length: > 0 })
        {
            foreach (var entry in detailed)
            {
                silos.Add(new SiloInfo(
                    entry.SiloAddress.ToParsableString(),
                    entry.Status.ToString(),
                    entry.SiloName,
                    entry.HostName,
                    entry.ProxyPort,
                    ToOffset(entry.StartTime),
                    ToOffset(entry.IAmAliveTime)));
            }
        }
        else
        {
            // A membership provider that keeps no details still answers with addresses.
            var hosts = await management.GetHosts(onlyActive).ConfigureAwait(false);
            foreach (var (address, status) in hosts)
            {
                silos.Add(new SiloInfo(
                    address.ToParsableString(), status.ToString(), null, null, null, null, null));
            }
        }

        silos.Sort(static (a, b) =>
            a.IsActive != b.IsActive
                ? a.IsActive ? -1 : 1
                : string.CompareOrdinal(a.Address, b.Address));
        return silos;
    }

    private static DateTimeOffset? ToOffset(DateTime time) =>
        time == default ? null : new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
