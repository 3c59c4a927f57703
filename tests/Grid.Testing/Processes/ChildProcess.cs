using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Grid.Testing.Processes;

/// <summary>
/// A program of this repository (<c>dotnet X.dll</c>) run by a test: standard output arrives as
/// lines in <see cref="Lines"/>, standard error is kept (its tail) for failure messages, standard
/// input stays open for the test to write to. Killed on dispose.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 400;

    private readonly Process _process;
    private readonly Queue<string> _errorLines = new();
    private readonly Queue<string> _outputLines = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output, line by line, completed when the process closes it.</summary>
    public ChannelReader<string> Lines => _lines.Reader;

    public StreamWriter Input => _process.StandardInput;

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

    /// <summary>The last lines of standard output so far (also delivered through <see cref="Lines"/>).</summary>
    public string StandardOutput
    {
        get
        {
            lock (_outputLines)
            {
                return string.Join('\n', _outputLines);
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/> (a path) with <paramref name="arguments"/> in the dll's folder.</summary>
    public static ChildProcess Start(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
        var child = new ChildProcess(process, Path.GetFileNameWithoutExtension(dll));
        process.ErrorDataReceived += (_, e) => child.KeepErrorLine(e.Data);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
            }
            else
            {
                Keep(child._outputLines, e.Data);
                child._lines.Writer.TryWrite(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return child;
    }

    /// <summary>Runs to completion: exit code, all standard output, standard error's tail.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string dll, IEnumerable<string> arguments, TimeSpan timeout)
    {
        await using var child = Start(dll, arguments);
        child.Input.Close();
        var output = new List<string>();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in child.Lines.ReadAllAsync(cancel.Token))
            {
                output.Add(line);
            }

            await child._process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{child.Name} {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds} s: {child.StandardError}");
        }

        return (child.ExitCode, string.Join('\n', output), child.StandardError);
    }

    /// <summary>SIGKILL: the process stops at once, as a crashed machine would.</summary>
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
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (pid {_process.Id})");

    private static void Keep(Queue<string> lines, string line)
    {
        lock (lines)
        {
            lines.Enqueue(line);
            if (lines.Count > KeptLines)
            {
                lines.Dequeue();
            }
        }
    }

    private void KeepErrorLine(string? line)
    {
        if (line is not null)
        {
            Keep(_errorLines, line);
        }
    }
}
