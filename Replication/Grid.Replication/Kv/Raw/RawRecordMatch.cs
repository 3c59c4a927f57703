namespace Grid.Replication.Kv.Raw;

/// <summary>What a RAW record holds for the key being looked up (<see cref="RawRecordLayout.Match"/>).</summary>
internal enum RawRecordMatch
{
    /// <summary>keyHash is 0: no key ever claimed the record, so the probe sequence ends here.</summary>
    Free,

    /// <summary>Another key's record.</summary>
    Other,

    /// <summary>Claimed for this key's hash, not written yet.</summary>
    Unwritten,

    /// <summary>This key's hash with a header that does not parse: read again.</summary>
    Torn,

    /// <summary>This key's record (its value, or a tombstone).</summary>
    Key,
}
