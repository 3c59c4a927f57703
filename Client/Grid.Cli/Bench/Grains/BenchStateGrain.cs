using Orleans.Runtime;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// Writes its state on every call, to the provider named by its key before the slash
/// (<c>"redis/3"</c> → provider <c>redis</c>). The persistent state is made with
/// <see cref="IPersistentStateFactory"/> rather than <c>[PersistentState]</c>, whose provider
/// name is fixed at compile time; it is made in the constructor, so it reads the state on
/// activation like an injected one.
/// </summary>
[GrainType(GrainTypeName)]
internal sealed class BenchStateGrain : IGrainBase, IBenchStateGrain
{
    /// <summary>Pinned: the default type name follows the class name, and storage keys hold it.</summary>
    public const string GrainTypeName = "grid-bench-state";

    public const string StateName = "value";

    private readonly IPersistentState<BenchGrainState> _state;

    public BenchStateGrain(IGrainContext grainContext, IPersistentStateFactory states)
    {
        ArgumentNullException.ThrowIfNull(grainContext);
        ArgumentNullException.ThrowIfNull(states);
        GrainContext = grainContext;
        _state = states.Create<BenchGrainState>(
            grainContext, new PersistentStateAttribute(StateName, ProviderOf(grainContext.GrainId)));
    }

    public IGrainContext GrainContext { get; }

    public Task WriteAsync(byte[] value)
    {
        _state.State.Value = value;
        return _state.WriteStateAsync();
    }

    /// <summary>The provider part of a key such as <c>"swarm/17"</c>.</summary>
    internal static string ProviderOf(GrainId grainId)
    {
        var key = grainId.Key.ToString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new ArgumentException(
                $"bench grain key '{key}' does not start with a provider name and a slash (e.g. swarm/17)",
                nameof(grainId));
        }

        return key[..slash];
    }

    /// <summary>The key of grain <paramref name="index"/> of <paramref name="provider"/>.</summary>
    internal static string Key(string provider, int index) => $"{provider}/{index}";
}
