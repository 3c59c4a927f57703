using Microsoft.Extensions.Hosting;

namespace Grid.Cli.Bench.Grains;

/// <summary>
/// The hosts of the bench are parts of a command, not the process: they must not react to
/// Ctrl+C themselves (the default console lifetime would stop them under the bench's feet).
/// The command's cancellation token stops the run, which stops the hosts.
/// </summary>
internal sealed class BenchHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
