namespace Grid.Testing.Linearizability;

/// <summary>How the search over one key's sub-history ended.</summary>
internal enum SearchVerdict
{
    Linearizable,
    NotLinearizable,
    TimedOut,
}
