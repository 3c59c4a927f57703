namespace Grid.Grains.Common;

/// <summary>
/// An activation's persistent state plus the rule for failed writes. A grain mutates
/// <see cref="State"/> in memory and then writes it; when the write throws, the stored record may
/// hold the old state or the new one (a lost acknowledgement), so the in-memory copy can no
/// longer be trusted to match storage. The guard then marks the activation suspect: every later
/// <see cref="ThrowIfSuspect"/> throws, and the activation is deactivated so the next call
/// re-reads storage. Results and acknowledgements are only given after a write that succeeded,
/// so no caller ever acts on state that storage may not have.
/// </summary>
internal sealed class GuardedState<TState>
    where TState : class
{
    private readonly IPersistentState<TState> _storage;
    private readonly string _owner;
    private readonly Action _reset;
    private string? _failure;

    /// <param name="storage">The injected persistent state.</param>
    /// <param name="owner">The grain id, for messages.</param>
    /// <param name="reset">
    /// Deactivates the activation (the grain's <c>DeactivateOnIdle</c>).
    /// </param>
    public GuardedState(IPersistentState<TState> storage, string owner, Action reset)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(reset);
        _storage = storage;
        _owner = owner;
        _reset = reset;
    }

    public TState State
    {
        get => _storage.State;
        set => _storage.State = value;
    }

    /// <summary>True once the record exists in storage (read or written).</summary>
    public bool RecordExists => _storage.RecordExists;

    /// <summary>
    /// True once a write failed or an invariant broke; the activation is going away.
    /// </summary>
    public bool IsSuspect => _failure is not null;

    /// <summary>Throws when an earlier write of this activation failed.</summary>
    public void ThrowIfSuspect()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException(
                $"Grain {_owner}: its in-memory state is suspect ({_failure}); the activation is "
                + "being reset to re-read its state. Retry the call.");
        }
    }

    /// <summary>
    /// Writes the current state. On failure marks the activation suspect, asks for deactivation
    /// and rethrows the storage exception to the caller, whose outcome is then unknown.
    /// </summary>
    public async Task WriteAsync()
    {
        try
        {
            await _storage.WriteStateAsync();
        }
        catch (Exception exception)
        {
            MarkSuspect($"{exception.GetType().Name}: {exception.Message}");
            throw;
        }
    }

    /// <summary>
    /// Gives up on the in-memory state (a failed write, or an invariant that no longer holds after
    /// a change): later calls throw and the activation deactivates to re-read storage.
    /// </summary>
    public void MarkSuspect(string reason)
    {
        _failure ??= reason;
        _reset();
    }
}
