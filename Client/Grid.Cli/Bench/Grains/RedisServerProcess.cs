using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// A <c>redis-server</c> on a free loopback port with no persistence (<c>--save ""</c>,
/// <c>--appendonly no</c>), the baseline Orleans' Redis grain storage runs against. Killed on
/// dispose; it holds nothing worth keeping.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    public const string ExecutableName = "redis-server";

    private const string ReadyText = "Ready to accept connections";
    private const int StartAttempts = 3;
    private const int KeptOutputLines = 50;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private RedisServerProcess(Process process, IPEndPoint address)
    {
        _process = process;
        Address = address;
    }

    public IPEndPoint Address { get; }

    /// <summary>The full path of <c>redis-server</c> on PATH, or null if it is not there.</summary>
    public static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, ExecutableName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Starts <paramref name="executable"/> and waits until it accepts connections; tries
    /// another port if the one picked was taken in between.
    /// </summary>
    public static async Task<RedisServerProcess> StartAsync(
        string executable, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            var process = Process.Start(Info(executable, port))
                ?? throw new InvalidOperationException($"could not start {executable}");
            var server = new RedisServerProcess(process, new IPEndPoint(IPAddress.Loopback, port));
            try
            {
                if (await server.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false))
                {
                    return server;
                }
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await server.DisposeAsync().ConfigureAwait(false);
            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException(
                    $"{executable} did not start on loopback ({StartAttempts} attempts): {server.Output}");
            }
        }
    }

    /// <summary>Kills the server now, synchronously (Ctrl+C: the process may exit soon after).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    private static ProcessStartInfo Info(string executable, int port)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Nothing is written with persistence off, but keep the working directory neutral.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in (string[])[
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--loglevel", "notice"])
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>True once it logs that it accepts connections; false if it exited first.</summary>
    private async Task<bool> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                Keep(line);
                if (line.Contains(ReadyText, StringComparison.Ordinal))
                {
                    // Drained for good: a server whose pipe fills up blocks on its next log line.
                    _ = _process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return true;
                }
            }

            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"redis-server did not accept connections within {StartTimeout.TotalSeconds} s: {Output}");
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }
}
