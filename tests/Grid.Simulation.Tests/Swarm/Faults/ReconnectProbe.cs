using Grid.RdmaTransport;
using Microsoft.Extensions.Logging;

namespace Grid.Simulation.Tests.Swarm.Faults;

/// <summary>
/// The logger of one simulated client's <see cref="ReconnectingQueuePair"/>: counts its lost
/// connections (by cause) and re-admissions, and whether the client used the node again after a
/// re-admission (a batch completed on it). Its events come from the pair's log lines
/// (RdmaTransport README, "Reconnecting", Visibility), so the pair needs no test hook.
/// </summary>
internal sealed class ReconnectProbe : ILogger
{
    private long _successAtReadmission = -1;

    /// <summary>Set right after the pair is built (the pair takes its logger in its constructor).</summary>
    public ReconnectingQueuePair? Pair { get; set; }

    public int LostToExpiry { get; private set; }

    public int LostToRestart { get; private set; }

    public int LostToCrash { get; private set; }

    /// <summary>Every lost connection, whatever the cause.</summary>
    public int Losses { get; private set; }

    public int Readmissions { get; private set; }

    /// <summary>Re-admitted connections on which the client then completed a batch.</summary>
    public int Reused { get; private set; }

    /// <summary>Closes the count of the connection in use (at a loss, and at the end of the run).</summary>
    public void Settle()
    {
        if (_successAtReadmission >= 0 && Successes() > _successAtReadmission)
        {
            Reused++;
        }

        _successAtReadmission = -1;
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        switch (eventId.Id)
        {
            case 40:
                Losses++;
                var reason = formatter(state, exception);
                if (reason.Contains("refused the batch", StringComparison.Ordinal))
                {
                    LostToExpiry++;
                }
                else if (reason.Contains("restarted", StringComparison.Ordinal))
                {
                    LostToRestart++;
                }
                else if (reason.Contains("crashed", StringComparison.Ordinal))
                {
                    LostToCrash++;
                }

                Settle();
                break;
            case 42:
                Readmissions++;
                _successAtReadmission = Successes();
                break;
        }
    }

    private long Successes() => Pair is null ? 0 : Pair.Statistics.Roundtrips - Pair.Statistics.Errors;

    public bool IsEnabled(LogLevel logLevel) => true;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
}
