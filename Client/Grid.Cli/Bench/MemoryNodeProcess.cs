using System.Diagnostics;
using System.Net;
using System.Text;
using Grid.RdmaTransport.Tcp;

namespace Grid.Cli.Bench;

/// <summary>
/// A <c>grid-memnode</c> process on a free loopback port, started from the dll copied beside
/// the CLI. Killed (SIGKILL) on <see cref="Kill"/> and on dispose.
/// </summary>
internal sealed class MemoryNodeProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "listening on ";
    private const int KeptErrorLines = 20;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Queue<string> _errorLines = new();

    private MemoryNodeProcess(Process process) => _process = process;

    public IPEndPoint Address { get; private set; } = null!;

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "grid-memnode.dll");

    /// <summary>
    /// Starts the node and waits for its <c>listening on HOST:PORT</c> line. Throws
    /// <see cref="InvalidOperationException"/> with its last error lines if it does not come.
    /// </summary>
    public static async Task<MemoryNodeProcess> StartAsync(
        uint nodeId, long regionBytes, string keyFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(DllPath))
        {
            throw new InvalidOperationException(
                $"{DllPath} is missing: grid-memnode is built beside the CLI (rebuild Client/Grid.Cli)");
        }

        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[DllPath, "--listen", "127.0.0.1:0", "--size",
            regionBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cluster-key-file", keyFile, "--node-id",
            nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-level", "Warning"])
        {
            info.ArgumentList.Add(argument);
        }

        var node = new MemoryNodeProcess(Process.Start(info)
            ?? throw new InvalidOperationException("could not start grid-memnode"));
        // Drained for good: a node whose pipe fills up blocks on its next log line.
        node._process.ErrorDataReceived += (_, e) => node.KeepErrorLine(e.Data);
        node._process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            while (true)
            {
                var line = await node._process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException(
                        $"grid-memnode exited before listening: {node.ErrorText()}");
                if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal))
                {
                    node.Address = NetworkAddress.Parse(line[ListeningPrefix.Length..]);
                    _ = node._process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return node;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"grid-memnode did not listen within {StartTimeout.TotalSeconds} s: {node.ErrorText()}");
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>SIGKILL: the node stops at once, as a crashed machine would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>The dotnet host running this CLI, or the one on PATH when it runs as an apphost.</summary>
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

    private string ErrorText()
    {
        lock (_errorLines)
        {
            var text = new StringBuilder();
            foreach (var line in _errorLines)
            {
                text.Append(line).Append(' ');
            }

            return text.Length == 0 ? "(nothing on standard error)" : text.ToString().Trim();
        }
    }
}
