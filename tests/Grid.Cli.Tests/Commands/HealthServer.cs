using System.Net;
using System.Text;
using Grid.Cli.Tests.Cluster;

namespace Grid.Cli.Tests.Commands;

/// <summary>A stand-in for grid-silo's /health endpoint: answers every GET with one body.</summary>
internal sealed class HealthServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public HealthServer(string body, int statusCode = 200)
    {
        var port = FreePorts.Next();
        Url = $"http://127.0.0.1:{port}/health";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = statusCode;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    public string Url { get; }

    public async ValueTask DisposeAsync()
    {
        // Abort alone: Stop then Close would look the prefix up twice, and fail the second time.
        _listener.Abort();
        await _loop;
    }
}
