namespace Grid.Cli.Tests.Cluster;

/// <summary>Tests that share one <see cref="SiloFixture"/> silo.</summary>
[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
