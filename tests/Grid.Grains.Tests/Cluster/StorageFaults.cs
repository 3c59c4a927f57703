using Orleans.Runtime;

namespace Grid.Grains.Tests.Cluster;

/// <summary>
/// Write faults armed per grain, shared by every silo of the test cluster (one instance is
/// registered in each silo). Each armed fault strikes once.
/// </summary>
public sealed class StorageFaults
{
    private readonly Lock _lock = new();
    private readonly Dictionary<GrainId, (int Skip, FaultTiming Timing)> _writes = [];
    private int _struck;

    /// <summary>How many armed faults have struck so far.</summary>
    public int Struck
    {
        get
        {
            lock (_lock)
                return _struck;
        }
    }

    /// <summary>
    /// Fails the grain's write after <paramref name="skip"/> more successful writes.
    /// </summary>
    public void FailWrite(GrainId grain, FaultTiming timing, int skip = 0)
    {
        lock (_lock)
            _writes[grain] = (skip, timing);
    }

    public bool IsArmed(GrainId grain)
    {
        lock (_lock)
            return _writes.ContainsKey(grain);
    }

    /// <summary>Called by the storage on each write; true when this write must fail.</summary>
    internal bool TryStrike(GrainId grain, out FaultTiming timing)
    {
        lock (_lock)
        {
            timing = default;
            if (!_writes.TryGetValue(grain, out var fault))
                return false;
            if (fault.Skip > 0)
            {
                _writes[grain] = (fault.Skip - 1, fault.Timing);
                return false;
            }
            _writes.Remove(grain);
            _struck++;
            timing = fault.Timing;
            return true;
        }
    }
}
