using System.Globalization;

namespace Grid.Testing.Linearizability;

/// <summary>
/// One operation of a recorded concurrent history on a per-key register.
/// </summary>
/// <param name="Client">The client that issued it; only used to make failures readable.</param>
/// <param name="Key">The key it touched. Keys are checked independently.</param>
/// <param name="Kind">Read, write or delete.</param>
/// <param name="Value">
/// For a write the value written (never null); for a read the value returned, null meaning
/// "absent"; unused for a delete.
/// </param>
/// <param name="Call">Logical time at which the client invoked it.</param>
/// <param name="Return">
/// Logical time at which it returned, or <see cref="NeverReturned"/> for an operation that crashed
/// or timed out: it may or may not have taken effect, at any instant after its call.
/// </param>
public sealed record HistoryOperation(
    int Client,
    string Key,
    OperationKind Kind,
    string? Value,
    long Call,
    long Return)
{
    /// <summary>The <see cref="Return"/> of an operation whose outcome is unknown.</summary>
    public const long NeverReturned = long.MaxValue;

    /// <summary>True when the operation never returned (see <see cref="NeverReturned"/>).</summary>
    public bool IsPending => Return == NeverReturned;

    /// <summary>One line such as <c>c3 write(k)=v7 [12,19]</c>, the form failures print.</summary>
    public override string ToString()
    {
        var ret = IsPending ? "pending" : Return.ToString(CultureInfo.InvariantCulture);
        var what = Kind switch
        {
            OperationKind.Write => $"write({Key})={Value}",
            OperationKind.Read => $"read({Key})={Value ?? "absent"}",
            OperationKind.Delete => $"delete({Key})",
            _ => $"{Kind}({Key})",
        };
        return string.Create(CultureInfo.InvariantCulture, $"c{Client} {what} [{Call},{ret}]");
    }
}
