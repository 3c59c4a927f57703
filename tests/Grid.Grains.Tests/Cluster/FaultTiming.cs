namespace Grid.Grains.Tests.Cluster;

/// <summary>When an injected write fault strikes.</summary>
public enum FaultTiming
{
    /// <summary>The write fails and storage keeps the old record.</summary>
    BeforePersist,

    /// <summary>
    /// The write reaches storage but the grain is told it failed: the lost acknowledgement of a
    /// silo crash or a timeout right after the write.
    /// </summary>
    AfterPersist,
}
