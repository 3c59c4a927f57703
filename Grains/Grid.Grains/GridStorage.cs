namespace Grid.Grains;

/// <summary>
/// The grain storage the grid's grains persist to. Silos register a provider under
/// <see cref="Name"/> (the SWARM provider in production, Orleans' memory storage in tests), so the
/// grains never reference a provider assembly.
/// </summary>
public static class GridStorage
{
    /// <summary>The storage provider name in every grain's <c>[PersistentState]</c>.</summary>
    public const string Name = "swarm";
}
