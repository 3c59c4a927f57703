using System.Diagnostics;
using System.Net;
using System.Text;
using Grid.RdmaTransport;
using Grid.RdmaTransport.Tcp;

namespace Grid.Testing.Processes;

/// <summary>
/// A real <c>grid-memnode</c> process on a random loopback port, started from the build output
/// beside the tests. Killed on dispose if still running.
/// </summary>
public sealed class MemoryNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _standardError = new();
    private readonly string _keyFile;

    private MemoryNodeProcess(Process process, string keyFile, ClusterKey key)
    {
        _process = process;
        _keyFile = keyFile;
        Key = key;
    }

    public IPEndPoint Address { get; private set; } = null!;

    public ClusterKey Key { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardError
    {
        get
        {
            lock (_standardError)
            {
                return _standardError.ToString();
            }
        }
    }

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "grid-memnode.dll");

    public static Task<MemoryNodeProcess> StartAsync(params string[] extraArguments) =>
        StartAsync(1 << 20, extraArguments);

    /// <summary>Starts a node whose region 0 has <paramref name="regionBytes"/> bytes.</summary>
    public static async Task<MemoryNodeProcess> StartAsync(long regionBytes, params string[] extraArguments)
    {
        var secret = ClusterKey.GenerateSecret();
        var keyFile = Path.Combine(Path.GetTempPath(), $"grid-test-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(keyFile, secret);
        var process = Process.Start(Info(["--listen", "127.0.0.1:0", "--cluster-key-file", keyFile,
            "--size", regionBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extraArguments]))!;
        var node = new MemoryNodeProcess(process, keyFile, ClusterKey.FromSecret(secret));
        process.ErrorDataReceived += (_, e) =>
        {
            lock (node._standardError)
            {
                node._standardError.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"grid-memnode exited early: {node.StandardError}");
                const string Prefix = "listening on ";
                if (line.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    node.Address = NetworkAddress.Parse(line[Prefix.Length..]);
                    return node;
                }
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs grid-memnode to completion (for --help and argument errors).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(Info(arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    public async Task<QueuePair> ConnectAsync(NodeId local, TcpTransportOptions? options = null) =>
        await TcpQueuePair.ConnectAsync(Address, local, Key, options).ConfigureAwait(false);

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", ProcessId.ToString()])!;
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("CONT");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        File.Delete(_keyFile);
    }

    private static ProcessStartInfo Info(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
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
}
