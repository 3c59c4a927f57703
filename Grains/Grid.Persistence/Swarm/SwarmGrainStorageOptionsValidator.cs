using Grid.RdmaTransport.Tcp;
using Grid.Replication.Common;
using Orleans.Runtime;

namespace Grid.Persistence.Swarm;

/// <summary>Checks a SWARM storage's options when the silo starts, with messages that say what to fix.</summary>
public sealed class SwarmGrainStorageOptionsValidator(SwarmGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = $"SWARM grain storage \"{name}\":";
        try
        {
            options.Layout.ToSwarmOptions();
        }
        catch (ArgumentException ex)
        {
            throw new OrleansConfigurationException($"{prefix} invalid Layout: {ex.Message}", ex);
        }

        if (options.WriterId < 0 || options.WriterId > options.Layout.MaxWriters)
        {
            throw new OrleansConfigurationException(
                $"{prefix} WriterId is {options.WriterId}; use 0 to lease a free id, or an id in 1..{options.Layout.MaxWriters} " +
                "(Layout.MaxWriters) that no other running silo uses");
        }

        try
        {
            options.WriterLease.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new OrleansConfigurationException($"{prefix} invalid WriterLease: {ex.Message}", ex);
        }

        try
        {
            options.ReconnectOptions().Validate();
        }
        catch (ArgumentException ex)
        {
            throw new OrleansConfigurationException(
                $"{prefix} invalid ReconnectInitialDelay or ReconnectMaxDelay: {ex.Message}", ex);
        }

        foreach (var address in options.MemoryNodes)
        {
            if (!NetworkAddress.TryParse(address, out _))
            {
                throw new OrleansConfigurationException($"{prefix} memory node address \"{address}\" is not host:port");
            }
        }

        if (options.MemoryNodes.Count > 0)
        {
            if (options.MemoryNodes.Count % 2 == 0)
            {
                throw new OrleansConfigurationException(
                    $"{prefix} {options.MemoryNodes.Count} memory nodes; SWARM needs an odd number (2f+1)");
            }

            if (options.MemoryNodes.Count > MemoryNodeMembership.NodesMax)
            {
                throw new OrleansConfigurationException(
                    $"{prefix} {options.MemoryNodes.Count} memory nodes; the membership record holds at most {MemoryNodeMembership.NodesMax - 1}");
            }

            if (options.ClusterKey is null && options.ClusterKeyFile is null)
            {
                throw new OrleansConfigurationException(
                    $"{prefix} TCP memory nodes need the cluster key: set ClusterKey or ClusterKeyFile");
            }

            if (options.ClusterKey is { } secret && System.Text.Encoding.UTF8.GetByteCount(secret) < ClusterKey.MinimumSecretBytes)
            {
                throw new OrleansConfigurationException(
                    $"{prefix} the cluster key must be at least {ClusterKey.MinimumSecretBytes} bytes");
            }
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.OperationTimeout <= TimeSpan.Zero || options.SweepInterval <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"{prefix} ConnectTimeout, OperationTimeout and SweepInterval must be positive");
        }

        if (options.CachedGrainsMax < 0)
        {
            throw new OrleansConfigurationException($"{prefix} CachedGrainsMax must not be negative");
        }
    }
}
