using Grid.Persistence.Swarm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Persistence.Hosting;

/// <summary>
/// SWARM storage defaults to Orleans' binary serializer: a state is rewritten whole on every
/// write, on every memory node, so its size is the cost; JSON (the silo-wide default) is several
/// times larger for the grid's states. A serializer registered under the provider's name, or
/// set in the options, wins.
/// </summary>
internal sealed class SwarmSerializerDefaults(IServiceProvider services) : IPostConfigureOptions<SwarmGrainStorageOptions>
{
    public void PostConfigure(string? name, SwarmGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.GrainStorageSerializer is not null
            || (name is not null && services.GetKeyedService<IGrainStorageSerializer>(name) is not null))
        {
            return;
        }

        options.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
    }
}
