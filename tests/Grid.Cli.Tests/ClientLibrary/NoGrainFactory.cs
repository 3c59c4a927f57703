using System.Reflection;

namespace Grid.Cli.Tests.ClientLibrary;

/// <summary>
/// An <see cref="IGrainFactory"/> whose every member throws: proves that a facade refused its
/// arguments before it asked for a grain.
/// </summary>
public class NoGrainFactory : DispatchProxy
{
    public static IGrainFactory Create() => Create<IGrainFactory, NoGrainFactory>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new InvalidOperationException(
            $"NoGrainFactory: {targetMethod?.Name} was called; the facade should have refused");
}
