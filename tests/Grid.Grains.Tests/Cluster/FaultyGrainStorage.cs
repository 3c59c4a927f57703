using Orleans.Runtime;
using Orleans.Storage;

namespace Grid.Grains.Tests.Cluster;

/// <summary>
/// Wraps a storage (Orleans' memory storage in the tests) and fails the writes that
/// <see cref="StorageFaults"/> arms, before or after the record reaches the inner storage.
/// </summary>
public sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(
        string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!faults.TryStrike(grainId, out var timing))
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }
        if (timing == FaultTiming.AfterPersist)
            await inner.WriteStateAsync(stateName, grainId, grainState);
        throw new IOException($"Injected storage fault ({timing}) writing {grainId}.");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
