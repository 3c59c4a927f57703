namespace Grid.Cli.Commands;

/// <summary>Exit codes of <c>grid</c>, the same for every command, for scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>
    /// The command ran and failed: a peer unreachable (bench), a file not writable, a grain error,
    /// a key not found, a transfer or order refused.
    /// </summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong; nothing was attempted.</summary>
    public const int Usage = 2;

    /// <summary>
    /// No silo answered (client commands): none at the gateways, or the cluster went away.
    /// </summary>
    public const int Unavailable = 3;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
