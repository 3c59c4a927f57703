namespace Grid.Replication.Kv.Raw;

/// <summary>Every record of a RAW table is taken by another key: the key cannot be created.</summary>
public sealed class RawKvTableFullException : Exception
{
    public RawKvTableFullException(string message)
        : base(message)
    {
    }
}
