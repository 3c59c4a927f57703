using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Testing.Processes;

namespace Grid.EndToEnd.Tests;

/// <summary>A grid-silo process on free loopback ports, ready once its /health answers.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly ChildProcess _process;

    private SiloProcess(ChildProcess process, int siloPort, int gatewayPort, int httpPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public string BaseUrl => $"http://127.0.0.1:{HttpPort}";

    public bool HasExited => _process.HasExited;

    public string StandardError => _process.StandardError;

    /// <summary>The silo's console log so far (its last lines).</summary>
    public string StandardOutput => _process.StandardOutput;

    public static async Task<SiloProcess> StartAsync(IEnumerable<string> arguments, int? primarySiloPort = null)
    {
        var ports = FreePorts.Take(3);
        var args = new List<string>
        {
            "--silo-port", ports[0].ToString(CultureInfo.InvariantCulture),
            "--gateway-port", ports[1].ToString(CultureInfo.InvariantCulture),
            "--http-url", $"http://127.0.0.1:{ports[2]}",
            "--fast-failover", "true",
        };
        if (primarySiloPort is { } primary)
        {
            args.AddRange(["--primary", $"127.0.0.1:{primary}"]);
        }

        args.AddRange(arguments);
        var silo = new SiloProcess(ChildProcess.Start(RepositoryPaths.GridSilo, args), ports[0], ports[1], ports[2]);
        try
        {
            await silo.WaitHealthyAsync(TimeSpan.FromSeconds(90));
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    public async Task<JsonElement> HealthAsync()
    {
        using var response = await Http.GetAsync(new Uri($"{BaseUrl}/health"));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"grid-silo exited with {_process.ExitCode}: {_process.StandardOutput}\n{_process.StandardError}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri($"{BaseUrl}/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"grid-silo was not healthy within {timeout.TotalSeconds} s: {_process.StandardOutput}\n{_process.StandardError}");
    }
}
