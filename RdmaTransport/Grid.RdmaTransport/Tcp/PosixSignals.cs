using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Grid.RdmaTransport.Tcp;

/// <summary>
/// Sends POSIX signals with kill(2) rather than by starting the <c>kill</c> program: no process
/// to spawn (which can fail or lag on a loaded machine), and errors surface. A SIGSTOP is only
/// reported done once the target shows as stopped, since the kernel stops it asynchronously.
/// </summary>
internal static partial class PosixSignals
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.Ordinal)
    {
        ["KILL"] = 9,
        ["TERM"] = 15,
        ["CONT"] = 18,
        ["STOP"] = 19,
    };

    public static void Send(int processId, string signal)
    {
        if (!Numbers.TryGetValue(signal, out var number))
        {
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "one of KILL, TERM, CONT, STOP");
        }

        if (Kill(processId, number) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            const int NoSuchProcess = 3;
            if (error == NoSuchProcess)
            {
                return; // already gone: nothing left to signal
            }

            throw new Win32Exception(error, $"kill({processId}, SIG{signal}) failed");
        }

        if (signal == "STOP")
        {
            WaitUntilStopped(processId);
        }
    }

    /// <summary>Waits until every thread of the process is stopped (a group stop ends thread by thread).</summary>
    private static void WaitUntilStopped(int processId)
    {
        var tasks = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/task";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (Directory.EnumerateDirectories(tasks).All(task => IsStopped(Path.Combine(task, "stat"))))
                {
                    return;
                }
            }
            catch (IOException)
            {
                return; // exited
            }

            Thread.Sleep(1);
        }
    }

    private static bool IsStopped(string stat)
    {
        try
        {
            // "pid (comm) S ...": the state follows the last ')'.
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] is 'T' or 't' or 'Z' or 'X';
        }
        catch (IOException)
        {
            return true; // the thread is gone
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
