using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// A <c>grid-memnode</c> process on a free loopback port, started from <c>grid-memnode.dll</c>
/// beside the running program (a project that starts memory nodes references Grid.MemoryNode so
/// the dll is copied there). Used by the benchmarks and the end-to-end tests; killed on dispose.
/// </summary>
public sealed class MemoryNodeProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "listening on ";
    private const int KeptErrorLines = 500;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Queue<string> _errorLines = new();

    private MemoryNodeProcess(Process process) => _process = process;

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "grid-memnode.dll");

    public IPEndPoint Address { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the node wrote on standard error (its log), the last lines of it.</summary>
    public string StandardError
    {
        get
        {
            lock (_errorLines)
            {
                return string.Join('\n', _errorLines);
            }
        }
    }

    /// <summary>
    /// Starts a node with a region 0 of <paramref name="regionBytes"/> and waits for its
    /// <c>listening on HOST:PORT</c> line. Throws <see cref="InvalidOperationException"/> with
    /// its error output if that line does not come. <paramref name="listen"/> fixes the address
    /// (a node started again where its clients look for it); by default a free loopback port.
    /// </summary>
    public static async Task<MemoryNodeProcess> StartAsync(
        long regionBytes,
        string clusterKeyFile,
        uint nodeId = 1000,
        IEnumerable<string>? extraArguments = null,
        IPEndPoint? listen = null,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(DllPath))
        {
            throw new InvalidOperationException(
                $"{DllPath} is missing: reference Grid.MemoryNode so grid-memnode is built beside this program");
        }

        var process = Process.Start(Info([
            "--listen", listen?.ToString() ?? "127.0.0.1:0",
            "--size", regionBytes.ToString(CultureInfo.InvariantCulture),
            "--cluster-key-file", clusterKeyFile,
            "--node-id", nodeId.ToString(CultureInfo.InvariantCulture),
            .. extraArguments ?? []]))
            ?? throw new InvalidOperationException("could not start grid-memnode");
        var node = new MemoryNodeProcess(process);
        // Drained for good: a node whose pipe fills up blocks on its next log line.
        process.ErrorDataReceived += (_, e) => node.KeepErrorLine(e.Data);
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException(
                        $"grid-memnode exited before listening: {node.StandardError}");
                if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
                {
                    node.Address = NetworkAddress.Parse(line[ListeningPrefix.Length..]);
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return node;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"grid-memnode did not listen within {StartTimeout.TotalSeconds} s: {node.StandardError}");
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs grid-memnode to completion (for --help and argument errors).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(Info(arguments))
            ?? throw new InvalidOperationException("could not start grid-memnode");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary>Sends a POSIX signal by name (TERM, KILL, STOP, CONT).</summary>
    public void Signal(string signal) => PosixSignals.Send(ProcessId, signal);

    /// <summary>SIGKILL: the node stops at once, as a crashed machine would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("CONT"); // a stopped process would not die until continued
            Kill();
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static ProcessStartInfo Info(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>The dotnet host running this program, or the one on PATH when it runs as an apphost.</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        return current is not null
            && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
                ? current
                : "dotnet";
    }

    private void KeepErrorLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_errorLines)
        {
            _errorLines.Enqueue(line);
            if (_errorLines.Count > KeptErrorLines)
            {
                _errorLines.Dequeue();
            }
        }
    }
}
