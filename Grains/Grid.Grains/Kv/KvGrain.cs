using Grid.Grains.Common;

namespace Grid.Grains.Kv;

/// <summary>
/// One key of the key-value store (see <see cref="IKvGrain"/>). Every put or delete is exactly one
/// state write, which the <c>swarm</c> provider turns into one replicated register write.
/// </summary>
/// <remarks>
/// A delete writes a tombstone (<c>Value = null</c> with the incremented version) instead of
/// calling <c>ClearStateAsync</c>. Clearing would drop the version with the record, so after a
/// delete and a deactivation the next put would restart at version 1 and a reader could confuse
/// two different writes that carry the same version. The tombstone costs one small record per
/// deleted key and keeps versions monotonic for the life of the key.
/// </remarks>
[GrainType("kv")]
public sealed class KvGrain : Grain, IKvGrain
{
    private readonly GuardedState<KvState> _state;

    public KvGrain([PersistentState("kv", GridStorage.Name)] IPersistentState<KvState> state)
    {
        _state = new GuardedState<KvState>(state, $"kv/{this.GetPrimaryKeyString()}",
            DeactivateOnIdle);
    }

    public Task<KvEntry> Get()
    {
        _state.ThrowIfSuspect();
        var state = _state.State;
        // KvEntry is [Immutable], so Orleans hands it to a caller on this silo uncopied: give
        // out a copy, or that caller could change the stored bytes.
        var value = state.Value is null ? null : (byte[])state.Value.Clone();
        return Task.FromResult(new KvEntry(value, state.Version));
    }

    public async Task<long> Put(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > KvLimits.MaxValueBytes)
        {
            throw new ArgumentException(
                $"The value is {value.Length} bytes; the limit is {KvLimits.MaxValueBytes} "
                + "bytes (KvLimits.MaxValueBytes).", nameof(value));
        }
        _state.ThrowIfSuspect();
        var state = _state.State;
        state.Value = value;
        state.Version = checked(state.Version + 1);
        await _state.WriteAsync();
        return state.Version;
    }

    public async Task<bool> Delete()
    {
        _state.ThrowIfSuspect();
        var state = _state.State;
        if (state.Value is null)
            return false;
        state.Value = null;
        state.Version = checked(state.Version + 1);
        await _state.WriteAsync();
        return true;
    }

    public Task<long> GetVersion()
    {
        _state.ThrowIfSuspect();
        return Task.FromResult(_state.State.Version);
    }

    public Task<KvEntry> GetState() => Get();
}
