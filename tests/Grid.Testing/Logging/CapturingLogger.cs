using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Grid.Testing.Logging;

/// <summary>A logger that keeps every line it is given, for tests that check what was logged.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    /// <summary>The lines at <paramref name="level"/> that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Find(LogLevel level, string text) =>
        _lines.Where(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal))
            .Select(l => l.Message).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
