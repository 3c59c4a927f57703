using System.Globalization;
using Grid.Cli.Commands;
using Grid.Cli.Output;

namespace Grid.Cli.Kv;

/// <summary>
/// <c>grid kv import</c>: writes <c>KEY&lt;TAB&gt;VALUE</c> lines one by one and prints
/// "ok KEY VERSION" (flushed) only once the grid acknowledged the write, so that whoever reads
/// the output can rely on every printed key, even when the import dies. A write that fails is
/// retried with backoff for up to the key timeout; a connection that keeps failing, or that
/// lost the cluster, is replaced by a new one (silo failover with static gateways, a restarted
/// silo). A line that cannot be parsed, or a key or value the grid would refuse, fails at once.
/// </summary>
internal sealed class KvImporter
{
    private const string Name = "kv import";

    /// <summary>How long the end of an import waits for dropped connections to close.</summary>
    private static readonly TimeSpan RetireTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<TimeSpan, CancellationToken, Task<IKvImportTarget>> _connect;
    private readonly KvImportSettings _settings;
    private readonly CliOutput _output;
    private readonly TimeProvider _time;
    private readonly List<Task> _retired = [];
    private IKvImportTarget? _target;
    private int _targetFailures;

    /// <param name="target">The connection to start with; null to connect on the first key.</param>
    /// <param name="connect">Opens a connection within the given time; throws if it cannot.</param>
    public KvImporter(
        IKvImportTarget? target,
        Func<TimeSpan, CancellationToken, Task<IKvImportTarget>> connect,
        KvImportSettings settings,
        CliOutput output,
        TimeProvider time)
    {
        _target = target;
        _connect = connect;
        _settings = settings;
        _output = output;
        _time = time;
    }

    public async Task<KvImportSummary> RunAsync(
        TextReader input, CancellationToken cancellationToken)
    {
        long lines = 0, written = 0, failed = 0;
        var failedInRow = 0;
        try
        {
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lines++;
                if (line.Length == 0)
                {
                    continue;
                }

                if (!TryParse(line, lines, out var key, out var value, out var problem))
                {
                    await _output.FailAsync(Name, problem).ConfigureAwait(false);
                    failed++;
                    continue;
                }

                var (version, lastFailure) = await WriteAsync(key, value, cancellationToken)
                    .ConfigureAwait(false);
                if (version is { } acknowledged)
                {
                    await KvCommand.WriteAcknowledgedAsync(_output, key, acknowledged)
                        .ConfigureAwait(false);
                    written++;
                    failedInRow = 0;
                    continue;
                }

                failed++;
                var seconds = _settings.KeyTimeout.TotalSeconds
                    .ToString(CultureInfo.InvariantCulture);
                var reason = lastFailure is null
                    ? "no attempt finished"
                    : CliArguments.Message(lastFailure);
                await _output.FailAsync(Name,
                    $"failed {key} (line {lines}): not acknowledged within {seconds} s: {reason}")
                    .ConfigureAwait(false);
                if (++failedInRow >= _settings.ConsecutiveFailedKeysMax)
                {
                    await _output.FailAsync(Name,
                        $"giving up: {failedInRow} keys in a row failed; " +
                        $"lines after {lines} were not imported").ConfigureAwait(false);
                    return new KvImportSummary(lines, written, failed, GaveUp: true);
                }
            }

            return new KvImportSummary(lines, written, failed, GaveUp: false);
        }
        finally
        {
            Retire();
            await DrainRetiredAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Splits at the first tab: the value is the rest of the line, tabs and all.</summary>
    internal static bool TryParse(
        string line, long lineNumber, out string key, out byte[] value, out string problem)
    {
        key = "";
        value = [];
        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        if (tab < 0)
        {
            problem = $"line {lineNumber}: expected KEY<TAB>VALUE, found no tab";
            return false;
        }

        try
        {
            key = KvCommand.CheckKey(line[..tab]);
            value = KvCommand.CheckValue(line[(tab + 1)..]);
        }
        catch (ArgumentException ex)
        {
            problem = $"line {lineNumber}: {CliArguments.Message(ex)}";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>The acknowledged version, or null and the last failure when time ran out.</summary>
    private async Task<(long? Version, Exception? LastFailure)> WriteAsync(
        string key, byte[] value, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        var delay = _settings.RetryDelayMin;
        Exception? lastFailure = null;
        while (true)
        {
            var remaining = _settings.KeyTimeout - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return (null, lastFailure);
            }

            try
            {
                _target ??= await _connect(remaining, cancellationToken).ConfigureAwait(false);
                var attemptTimeout = Min(remaining, _settings.AttemptTimeout);
                var version = await PutAsync(_target, key, value, attemptTimeout, cancellationToken)
                    .ConfigureAwait(false);
                _targetFailures = 0;
                return (version, null);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = ex;
                if (_target is not null && (ClientCommand.IsClusterGone(ex)
                    || ++_targetFailures >= _settings.FailuresBeforeReconnect))
                {
                    Retire();
                }
            }

            remaining = _settings.KeyTimeout - _time.GetElapsedTime(start);
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(Min(delay, remaining), _time, cancellationToken)
                    .ConfigureAwait(false);
            }

            delay = Min(delay * 2, _settings.RetryDelayMax);
        }
    }

    private async Task<long> PutAsync(
        IKvImportTarget target,
        string key,
        byte[] value,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var put = target.PutAsync(key, value);
        try
        {
            return await put.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The write may still land (a later retry then writes the same value again); its
            // outcome is no longer anyone's, but must not surface as an unobserved exception.
            _ = put.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted
                | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Drops the current connection; it closes in the background, off the clock.</summary>
    private void Retire()
    {
        if (_target is not { } target)
        {
            return;
        }

        _target = null;
        _targetFailures = 0;
        _retired.Add(Task.Run(async () =>
        {
            try
            {
                await target.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Closing a connection to a cluster that is gone fails; nothing is left to do.
            }
        }));
    }

    private async Task DrainRetiredAsync()
    {
        try
        {
            await Task.WhenAll(_retired).WaitAsync(RetireTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Connections still closing are abandoned with the process.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
