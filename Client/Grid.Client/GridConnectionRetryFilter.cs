using Orleans;

namespace Grid.Client;

/// <summary>
/// Keeps Orleans' client start retrying (no gateway yet, connection refused, Redis not up) every
/// <see cref="GridClientOptions.ConnectRetryDelay"/> until
/// <see cref="GridClientOptions.ConnectTimeout"/>
/// has passed since the first failure, and remembers the last failure for the error message.
/// One per client host.
/// </summary>
internal sealed class GridConnectionRetryFilter : IClientConnectionRetryFilter
{
    private readonly GridClientOptions _options;
    private readonly TimeProvider _time;
    private long? _firstFailure;

    public GridConnectionRetryFilter(GridClientOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    public Exception? LastFailure { get; private set; }

    public int Failures { get; private set; }

    public async Task<bool> ShouldRetryConnectionAttempt(
        Exception exception, CancellationToken cancellationToken)
    {
        LastFailure = exception;
        Failures++;
        var now = _time.GetTimestamp();
        _firstFailure ??= now;
        var elapsed = _time.GetElapsedTime(_firstFailure.Value, now);
        if (elapsed + _options.ConnectRetryDelay >= _options.ConnectTimeout)
        {
            return false;
        }

        try
        {
            await Task.Delay(_options.ConnectRetryDelay, _time, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }
}
