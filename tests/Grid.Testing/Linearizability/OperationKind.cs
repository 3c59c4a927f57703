namespace Grid.Testing.Linearizability;

/// <summary>What an operation did to a key of the register model.</summary>
public enum OperationKind
{
    /// <summary>Returned the key's current value, or absent.</summary>
    Read,

    /// <summary>Set the key to a value.</summary>
    Write,

    /// <summary>Made the key absent.</summary>
    Delete,
}
