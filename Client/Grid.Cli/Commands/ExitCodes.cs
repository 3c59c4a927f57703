namespace Grid.Cli.Commands;

/// <summary>Exit codes of <c>grid</c>, the same for every command, for scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran and failed: a peer unreachable, a file not writable.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong; nothing was attempted.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
